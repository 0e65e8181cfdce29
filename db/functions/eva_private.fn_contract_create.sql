-- A new task contract, pending, with its contract.created event. p_spec
-- (camelCase keys): kind, parentAgent (default EVA), targetAgent, action,
-- ventureId, stage, stageWorkId, sagaId, sagaStep, parentContractId,
-- attempt, maxAttempts, tokenBudget, timeout (an interval; default 30
-- minutes), priority (1-5, default 3), context, circuits.
-- With p_claimed_by the contract is created claimed and started at once (a
-- stage run's, in eva.fn_begin_stage_run): one row written in_progress and its
-- contract.created, .claimed and .started events in one statement, instead of
-- two transitions' updates — the run's cost matters; the timestamps and events
-- are the same as pending → assigned → in_progress would leave.
-- (The one-argument version came first; callers now pass the claimant or not.)
drop function if exists eva_private.fn_contract_create(jsonb);
create or replace function eva_private.fn_contract_create(p_spec jsonb, p_claimed_by text default null)
returns eva.agent_task_contracts
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_c eva.agent_task_contracts;
  v_now timestamptz := pg_catalog.now();
  v_created jsonb;
begin
  if coalesce(p_spec ->> 'action', '') = '' or coalesce(p_spec ->> 'targetAgent', '') = '' then
    raise exception 'a task contract needs an action and a target agent (got %)', p_spec using errcode = 'EV400';
  end if;
  insert into eva.agent_task_contracts (kind, parent_agent, target_agent, venture_id, action, lifecycle_stage,
    stage_work_id, saga_id, saga_step, parent_contract_id, attempt, max_attempts, token_budget, timeout, priority,
    context, circuits, status, claimed_by, assigned_at, timeout_at, started_at)
  values (coalesce(p_spec ->> 'kind', 'service'), coalesce(p_spec ->> 'parentAgent', 'EVA'), p_spec ->> 'targetAgent',
    (p_spec ->> 'ventureId')::uuid, p_spec ->> 'action', (p_spec ->> 'stage')::int, (p_spec ->> 'stageWorkId')::uuid,
    (p_spec ->> 'sagaId')::uuid, p_spec ->> 'sagaStep', (p_spec ->> 'parentContractId')::uuid,
    coalesce((p_spec ->> 'attempt')::int, 1), coalesce((p_spec ->> 'maxAttempts')::int, 3),
    (p_spec ->> 'tokenBudget')::int, coalesce((p_spec ->> 'timeout')::interval, interval '30 minutes'),
    coalesce((p_spec ->> 'priority')::int, 3), coalesce(p_spec -> 'context', '{}'::jsonb),
    coalesce((select pg_catalog.array_agg(x) from pg_catalog.jsonb_array_elements_text(p_spec -> 'circuits') x), '{}'),
    case when p_claimed_by is null then 'pending' else 'in_progress' end::eva.contract_status, p_claimed_by,
    case when p_claimed_by is not null then v_now end,
    case when p_claimed_by is not null
      then eva.fn_scheduler_now() + coalesce((p_spec ->> 'timeout')::interval, interval '30 minutes') end,
    case when p_claimed_by is not null then v_now end)
  returning * into v_c;
  v_created := pg_catalog.jsonb_build_object('contract_id', v_c.id, 'kind', v_c.kind, 'action', v_c.action,
      'parent_agent', v_c.parent_agent, 'target_agent', v_c.target_agent, 'stage', v_c.lifecycle_stage,
      'attempt', v_c.attempt, 'priority', v_c.priority, 'token_budget', v_c.token_budget, 'timeout', v_c.timeout::text)
    || case when v_c.stage_work_id is not null then pg_catalog.jsonb_build_object('work_id', v_c.stage_work_id) else '{}' end
    || case when v_c.parent_contract_id is not null then pg_catalog.jsonb_build_object('parent_contract_id', v_c.parent_contract_id) else '{}' end
    || case when v_c.saga_id is not null then pg_catalog.jsonb_build_object('saga_id', v_c.saga_id, 'saga_step', v_c.saga_step) else '{}' end;
  if p_claimed_by is null then
    perform eva_private.fn_log_event('contract.created', v_c.venture_id, v_created);
  else
    insert into eva.eva_event_log (event_type, venture_id, payload, actor)
    select e.event_type, v_c.venture_id, e.payload, eva_private.fn_caller_role()
    from (values (1, 'contract.created', v_created),
      (2, 'contract.claimed', pg_catalog.jsonb_build_object('contract_id', v_c.id, 'kind', v_c.kind, 'action', v_c.action,
        'target_agent', v_c.target_agent, 'stage', v_c.lifecycle_stage, 'attempt', v_c.attempt, 'from', 'pending',
        'claimed_by', v_c.claimed_by, 'timeout_at', v_c.timeout_at)
        || case when v_c.stage_work_id is not null then pg_catalog.jsonb_build_object('work_id', v_c.stage_work_id) else '{}' end),
      (3, 'contract.started', pg_catalog.jsonb_build_object('contract_id', v_c.id, 'kind', v_c.kind, 'action', v_c.action,
        'target_agent', v_c.target_agent, 'stage', v_c.lifecycle_stage, 'attempt', v_c.attempt, 'from', 'assigned')
        || case when v_c.stage_work_id is not null then pg_catalog.jsonb_build_object('work_id', v_c.stage_work_id) else '{}' end))
      as e(n, event_type, payload)
    order by e.n;
  end if;
  return v_c;
end;
$$;
comment on function eva_private.fn_contract_create(jsonb, text) is
  'Creates a pending task contract from a spec (kind, targetAgent, action, venture, stage, saga, parent, attempt, token budget, timeout, priority, context, circuits) and logs contract.created; with p_claimed_by created claimed and started (contract.created, .claimed, .started).';
grant execute on function eva_private.fn_contract_create(jsonb, text) to eva_service;
