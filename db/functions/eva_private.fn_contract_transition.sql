-- The one way a task contract moves through its lifecycle (spec §3):
--   pending → assigned (claimed) → in_progress (started) → completed | failed | timeout,
-- also assigned → failed | timeout (claimed, never started) and pending →
-- failed (given up before anyone claimed it). Anything else is refused with
-- EV409. Each move stamps its time and logs its event: contract.claimed,
-- .started, .completed, .failed or .timeout (contract.created is logged by
-- eva_private.fn_contract_create). p_detail: claimedBy (assigned), result
-- (completed), error (failed, timeout); any other keys go into the event.
create or replace function eva_private.fn_contract_transition(p_contract_id uuid, p_to eva.contract_status,
  p_detail jsonb default '{}')
returns eva.agent_task_contracts
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_c eva.agent_task_contracts;
  v_from eva.contract_status;
  v_now timestamptz := pg_catalog.now();
  v_detail jsonb := coalesce(p_detail, '{}'::jsonb);
begin
  select * into v_c from eva.agent_task_contracts c where c.id = p_contract_id for update;
  if not found then
    raise exception 'task contract % does not exist', p_contract_id using errcode = 'EV404';
  end if;
  v_from := v_c.status;
  if not ((v_from = 'pending' and p_to in ('assigned', 'failed'))
       or (v_from = 'assigned' and p_to in ('in_progress', 'failed', 'timeout'))
       or (v_from = 'in_progress' and p_to in ('completed', 'failed', 'timeout'))) then
    raise exception 'task contract % is %: it cannot become %', p_contract_id, v_from, p_to
      using errcode = 'EV409',
        hint = 'pending → assigned → in_progress → completed, failed or timeout';
  end if;
  update eva.agent_task_contracts c
  set status = p_to,
      claimed_by = case when p_to = 'assigned' then coalesce(v_detail ->> 'claimedBy', c.claimed_by) else c.claimed_by end,
      assigned_at = case when p_to = 'assigned' then v_now else c.assigned_at end,
      -- The timeout runs from the claim, on the scheduler's clock (the sweep reads the same clock).
      timeout_at = case when p_to = 'assigned' then eva.fn_scheduler_now() + c.timeout else c.timeout_at end,
      deferred_until = case when p_to = 'assigned' then null else c.deferred_until end,
      started_at = case when p_to = 'in_progress' then v_now else c.started_at end,
      completed_at = case when p_to in ('completed', 'failed', 'timeout') then v_now else c.completed_at end,
      result = case when p_to = 'completed' then v_detail -> 'result' else c.result end,
      last_error = case when p_to in ('failed', 'timeout') then coalesce(v_detail ->> 'error', c.last_error) else c.last_error end,
      updated_at = v_now
  where c.id = p_contract_id
  returning * into v_c;
  perform eva_private.fn_log_event('contract.' || case p_to when 'assigned' then 'claimed' when 'in_progress' then 'started'
      else p_to::text end, v_c.venture_id,
    pg_catalog.jsonb_build_object('contract_id', v_c.id, 'kind', v_c.kind, 'action', v_c.action,
      'target_agent', v_c.target_agent, 'stage', v_c.lifecycle_stage, 'attempt', v_c.attempt, 'from', v_from)
    || case when v_c.stage_work_id is not null then pg_catalog.jsonb_build_object('work_id', v_c.stage_work_id) else '{}' end
    || case when v_c.saga_id is not null then pg_catalog.jsonb_build_object('saga_id', v_c.saga_id, 'saga_step', v_c.saga_step) else '{}' end
    || case when p_to = 'assigned' then pg_catalog.jsonb_build_object('claimed_by', v_c.claimed_by, 'timeout_at', v_c.timeout_at)
            when p_to in ('failed', 'timeout') then pg_catalog.jsonb_build_object('error', v_c.last_error)
            else '{}' end
    || (v_detail - 'claimedBy' - 'result' - 'error'));
  return v_c;
end;
$$;
comment on function eva_private.fn_contract_transition(uuid, eva.contract_status, jsonb) is
  'Moves a task contract one step (pending → assigned → in_progress → completed/failed/timeout; assigned → failed/timeout; pending → failed), logging contract.claimed/started/completed/failed/timeout; any other move is refused (EV409).';
grant execute on function eva_private.fn_contract_transition(uuid, eva.contract_status, jsonb) to eva_service;
