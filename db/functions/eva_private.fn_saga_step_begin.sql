-- A saga_step job asks whether its step may run: only while the saga is
-- active, the step is current and not already recorded completed or skipped,
-- and no wait on the scheduler clock is pending. Returns what the step needs
-- (the saga and every earlier step's result), or why it must not run.
-- A step that may run runs under its task contract (spec §3, kind saga_step),
-- opened here in the same round trip: p_circuits names the circuit breakers
-- its model calls pass through (eva_private.fn_circuit_permit; empty for a
-- step that calls no model), p_claimed_by who claims it. The step's pending
-- contract (one an open circuit deferred) is reused, else one is created
-- claimed and started in one statement. Returned as `contract` { id, attempt,
-- circuits, clean }; when a circuit is open, `deferred` { contractId, retryAt,
-- refusedBy } instead, the contract left pending with deferred_until (the
-- caller pauses the saga; the half-open release resumes it).
-- p_follow: the job of a step the saga is already past (its worker ran the
-- next steps itself and died, and the job was freed or queued again) is told
-- the saga's current step (`follow`), to ask for that one instead, unless it
-- waits for a retry's backoff (its own job is queued for then).
-- (The two-argument version came first; it opened no contract.)
drop function if exists eva_private.fn_saga_step_begin(uuid, text);
create or replace function eva_private.fn_saga_step_begin(p_saga_id uuid, p_step text,
  p_circuits text[] default null, p_claimed_by text default null, p_follow boolean default false)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_saga eva.eva_sagas;
  v_done eva.eva_saga_steps;
  v_c eva.agent_task_contracts;
  v_circuits text[] := case when coalesce(pg_catalog.cardinality(p_circuits), 0) > 0 then p_circuits else '{}' end;
  v_permit jsonb := null;
  v_attempt int;
  v_spec jsonb;
  v_answer jsonb;
begin
  select * into v_saga from eva.eva_sagas where id = p_saga_id for update;
  if not found then
    return pg_catalog.jsonb_build_object('run', false, 'reason', 'the saga does not exist');
  end if;
  if v_saga.status <> 'active' then
    return pg_catalog.jsonb_build_object('run', false, 'reason', 'the saga is ' || v_saga.status);
  end if;
  if v_saga.current_step <> p_step then
    if coalesce(p_follow, false) and exists (select 1 from eva.eva_saga_steps s where s.saga_id = p_saga_id
         and s.step = p_step and s.status in ('completed', 'skipped'))
       and (v_saga.next_attempt_at is null or v_saga.next_attempt_at <= pg_catalog.now()) then
      return pg_catalog.jsonb_build_object('run', false, 'follow', v_saga.current_step,
        'reason', 'the saga is at step ' || v_saga.current_step);
    end if;
    return pg_catalog.jsonb_build_object('run', false, 'reason', 'the saga is at step ' || v_saga.current_step);
  end if;
  select * into v_done from eva.eva_saga_steps where saga_id = p_saga_id and step = p_step;
  if found and v_done.status in ('completed', 'skipped') then
    return pg_catalog.jsonb_build_object('run', false, 'reason', 'step ' || p_step || ' is already ' || v_done.status);
  end if;
  if v_saga.wait_until is not null and v_saga.wait_until > eva.fn_scheduler_now() then
    return pg_catalog.jsonb_build_object('run', false, 'reason', 'step ' || p_step || ' waits until ' || v_saga.wait_until);
  end if;
  v_attempt := coalesce(v_done.attempts, 0) + 1;
  v_answer := pg_catalog.jsonb_build_object('run', true,
    'saga', pg_catalog.to_jsonb(v_saga),
    'now', eva.fn_scheduler_now(),
    'attempt', v_attempt,
    'results', coalesce((select pg_catalog.jsonb_object_agg(s.step, s.result) from eva.eva_saga_steps s
      where s.saga_id = p_saga_id), '{}'::jsonb));

  -- The step's contract: the pending one an open circuit left, else a new one.
  select * into v_c from eva.agent_task_contracts c
  where c.saga_id = p_saga_id and c.saga_step = p_step and c.status = 'pending'
  order by c.created_at desc limit 1
  for update;
  v_spec := pg_catalog.jsonb_build_object('kind', 'saga_step', 'targetAgent', 'SAGA_ENGINE',
    'action', v_saga.saga_type || '.' || p_step, 'ventureId', v_saga.venture_id, 'sagaId', v_saga.id,
    'sagaStep', p_step, 'attempt', v_attempt, 'circuits', pg_catalog.to_jsonb(v_circuits));
  if pg_catalog.cardinality(v_circuits) > 0 or v_c.id is not null then
    v_permit := eva_private.fn_circuit_permit(v_saga.venture_id,
      case when v_c.id is not null then v_c.circuits else v_circuits end, v_c.id);
    if not (v_permit ->> 'allowed')::boolean then
      if v_c.id is null then
        v_c := eva_private.fn_contract_create(v_spec);
      end if;
      update eva.agent_task_contracts c
      set deferred_until = (v_permit ->> 'retryAt')::timestamptz, updated_at = pg_catalog.now(),
          context = c.context || pg_catalog.jsonb_build_object('deferredBy', v_permit -> 'refusedBy')
      where c.id = v_c.id;
      return v_answer || pg_catalog.jsonb_build_object('deferred', pg_catalog.jsonb_build_object('contractId', v_c.id,
        'retryAt', v_permit -> 'retryAt', 'refusedBy', v_permit -> 'refusedBy'));
    end if;
  end if;
  if v_c.id is null then
    -- Created claimed and started (the row and events eva_private.fn_contract_create writes with a
    -- claimant): the row and its contract.created, .claimed and .started events in one statement.
    with opened as (
      insert into eva.agent_task_contracts (kind, parent_agent, target_agent, venture_id, action, saga_id, saga_step,
        attempt, max_attempts, timeout, priority, context, circuits, status, claimed_by, assigned_at, timeout_at, started_at)
      values ('saga_step', 'EVA', 'SAGA_ENGINE', v_saga.venture_id, v_saga.saga_type || '.' || p_step, v_saga.id, p_step,
        v_attempt, 3, interval '30 minutes', 3, '{}', v_circuits, 'in_progress',
        coalesce(p_claimed_by, pg_catalog.current_setting('application_name') || ':' || pg_catalog.pg_backend_pid()),
        pg_catalog.now(), eva.fn_scheduler_now() + interval '30 minutes', pg_catalog.now())
      returning *
    ), logged as (
      insert into eva.eva_event_log (event_type, venture_id, payload, actor)
      select x.t, n.venture_id, x.p, eva_private.fn_caller_role()
      from opened n, lateral eva_private.fn_contract_opened_events(n) x
      order by x.k
    )
    select n.* into v_c from opened n;
  else
    perform eva_private.fn_contract_transition(v_c.id, 'assigned', pg_catalog.jsonb_build_object('claimedBy',
      coalesce(p_claimed_by, pg_catalog.current_setting('application_name') || ':' || pg_catalog.pg_backend_pid())));
    v_c := eva_private.fn_contract_transition(v_c.id, 'in_progress');
  end if;
  return v_answer || pg_catalog.jsonb_build_object('contract', pg_catalog.jsonb_build_object('id', v_c.id,
    'attempt', v_c.attempt, 'circuits', pg_catalog.to_jsonb(v_c.circuits),
    'clean', coalesce((v_permit ->> 'clean')::boolean, true)));
end;
$$;
comment on function eva_private.fn_saga_step_begin(uuid, text, text[], text, boolean) is
  'Whether a saga step may run now (saga active, step current, not recorded completed/skipped, no pending wait); with the saga, the scheduler time, the attempt, earlier results and the step''s task contract, claimed and started (or deferred while a circuit is open).';
grant execute on function eva_private.fn_saga_step_begin(uuid, text, text[], text, boolean) to eva_service;
