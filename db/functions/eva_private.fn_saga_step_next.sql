-- A saga step's success (or skip) and the start of the step after it, in one
-- transaction and one round trip, for the saga_step job that runs a saga's
-- steps one after another (src/orchestration/sagas/engine.ts): records the
-- step and completes its contract (as eva_private.fn_saga_step_done with
-- p_chain, so no job is queued for the next step), then, when the saga moved
-- on to a next step it may run now, begins that one (as
-- eva_private.fn_saga_step_begin: its inputs and its contract, claimed and
-- started, or deferred while a circuit is open) and answers as that does,
-- with `step` naming it. p_circuits: the circuit breakers per step name of the
-- steps that call the model ({ step: [service…] }). Otherwise (the saga
-- completed, waits or is no longer active) { run: false, saga }.
-- The usual case — the step current and not yet recorded, its contract in
-- progress, no call to record on the breakers, the next step passing no
-- breaker and with no contract left pending — is written here directly: the
-- saga read and locked once, the contract completed by one update, then one
-- statement for the step's record, the saga's move, the next step's contract
-- inserted claimed and started, and every event of the two
-- (contract.completed, saga.step, then the next contract's created, claimed
-- and started, in that order); the rows and events are those
-- fn_saga_step_done and fn_saga_step_begin write. Anything
-- else goes through those two functions, which also give the refusals
-- (EV400, EV404, EV409).
create or replace function eva_private.fn_saga_step_next(
  p_saga_id uuid,
  p_step text,
  p_status text,
  p_result jsonb default '{}',
  p_contract_id uuid default null,
  p_call text default null,
  p_circuits jsonb default '{}',
  p_claimed_by text default null
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_saga eva.eva_sagas;
  v_c eva.agent_task_contracts;
  v_circuits text[];
  v_now timestamptz := pg_catalog.now();
  v_sched timestamptz;
  v_done text[];
  v_attempts jsonb;
  v_results jsonb;
  v_pos int;
  v_next text;
  v_attempt int;
  v_events jsonb;
  v_answer jsonb;
begin
  if p_status in ('completed', 'skipped') and p_contract_id is not null and p_call is null then
    select * into v_saga from eva.eva_sagas where id = p_saga_id for update;
  end if;
  if v_saga.id is not null and v_saga.status = 'active' and v_saga.current_step = p_step and v_saga.driver = 'worker' then
    select coalesce(pg_catalog.array_agg(s.step) filter (where s.status in ('completed', 'skipped')), '{}'),
           coalesce(pg_catalog.jsonb_object_agg(s.step, s.attempts), '{}'),
           coalesce(pg_catalog.jsonb_object_agg(s.step, s.result) filter (where s.step <> p_step), '{}')
    into v_done, v_attempts, v_results
    from eva.eva_saga_steps s where s.saga_id = p_saga_id;
    if not (p_step = any (v_done)) then
      update eva.agent_task_contracts c
      set status = 'completed', completed_at = v_now, result = pg_catalog.jsonb_build_object('outcome', p_status),
          updated_at = v_now
      where c.id = p_contract_id and c.status = 'in_progress'
      returning * into v_c;
    end if;
  end if;

  if v_c.id is null then
    -- The general way (and its refusals).
    v_saga := eva_private.fn_saga_step_done(p_saga_id, p_step, p_status, p_result, p_contract_id, p_call, true);
    if v_saga.status <> 'active' or v_saga.driver <> 'worker' or v_saga.current_step = p_step
       or v_saga.wait_until is not null then
      return pg_catalog.jsonb_build_object('run', false, 'reason', 'the saga is ' || v_saga.status,
        'saga', pg_catalog.to_jsonb(v_saga));
    end if;
    select coalesce(pg_catalog.array_agg(x), '{}') into v_circuits
    from pg_catalog.jsonb_array_elements_text(coalesce(p_circuits, '{}'::jsonb) -> v_saga.current_step) x;
    return eva_private.fn_saga_step_begin(p_saga_id, v_saga.current_step, v_circuits, p_claimed_by)
      || pg_catalog.jsonb_build_object('step', v_saga.current_step);
  end if;

  v_results := v_results || pg_catalog.jsonb_build_object(p_step, coalesce(p_result, '{}'::jsonb));
  -- The next step not already recorded (skipped from the start).
  v_pos := coalesce(pg_catalog.array_position(v_saga.steps, p_step), 0);
  for i in v_pos + 1 .. coalesce(pg_catalog.cardinality(v_saga.steps), 0) loop
    if not (v_saga.steps[i] = any (v_done)) then
      v_next := v_saga.steps[i];
      exit;
    end if;
  end loop;

  v_events := pg_catalog.jsonb_build_array(
    pg_catalog.jsonb_build_array('contract.completed', pg_catalog.jsonb_build_object('contract_id', v_c.id,
        'kind', v_c.kind, 'action', v_c.action, 'target_agent', v_c.target_agent, 'stage', v_c.lifecycle_stage,
        'attempt', v_c.attempt, 'from', 'in_progress')
      || case when v_c.stage_work_id is not null then pg_catalog.jsonb_build_object('work_id', v_c.stage_work_id) else '{}' end
      || case when v_c.saga_id is not null then pg_catalog.jsonb_build_object('saga_id', v_c.saga_id, 'saga_step', v_c.saga_step) else '{}' end),
    pg_catalog.jsonb_build_array('saga.step', pg_catalog.jsonb_build_object(
      'saga_id', v_saga.id, 'saga_type', v_saga.saga_type, 'step', p_step, 'status', p_status, 'next', v_next)));

  if v_next is not null and coalesce(pg_catalog.jsonb_array_length(p_circuits -> v_next), 0) = 0
     and not exists (select 1 from eva.agent_task_contracts c
                     where c.saga_id = p_saga_id and c.saga_step = v_next and c.status = 'pending') then
    -- The usual move: the step's record, the saga at its next step (which this job runs itself: no
    -- saga_step job for it, eva_private.fn_saga_enqueue), the next step's contract created claimed
    -- and started (as eva_private.fn_contract_create with a claimant) and the events, in one statement.
    v_sched := eva.fn_scheduler_now();
    v_attempt := coalesce((v_attempts ->> v_next)::int, 0) + 1;
    perform pg_catalog.set_config('eva.saga_chain', p_saga_id::text, true);
    with recorded as (
      insert into eva.eva_saga_steps as s (saga_id, venture_id, step, status, attempts, result, completed_at)
      values (p_saga_id, v_saga.venture_id, p_step, p_status, 1, coalesce(p_result, '{}'::jsonb), v_now)
      on conflict (saga_id, step) do update
        set status = excluded.status, attempts = s.attempts + 1, result = excluded.result, error = null,
            completed_at = excluded.completed_at, updated_at = pg_catalog.now()
    ), moved as (
      update eva.eva_sagas g
      set current_step = v_next, step_attempts = 0, next_attempt_at = null, wait_until = null, last_error = null,
          updated_at = v_now,
          -- Each step has a day to start (retirement); the notification wait extends it.
          timeout_at = case when g.timeout_at is not null then greatest(g.timeout_at, v_sched + interval '1 day') end
      where g.id = p_saga_id
      returning g.*
    ), opened as (
      insert into eva.agent_task_contracts (kind, parent_agent, target_agent, venture_id, action, saga_id, saga_step,
        attempt, max_attempts, timeout, priority, context, circuits, status, claimed_by, assigned_at, timeout_at, started_at)
      values ('saga_step', 'EVA', 'SAGA_ENGINE', v_saga.venture_id, v_saga.saga_type || '.' || v_next, p_saga_id, v_next,
        v_attempt, 3, interval '30 minutes', 3, '{}', '{}', 'in_progress',
        coalesce(p_claimed_by, pg_catalog.current_setting('application_name') || ':' || pg_catalog.pg_backend_pid()),
        v_now, v_sched + interval '30 minutes', v_now)
      returning *
    ), logged as (
      insert into eva.eva_event_log (event_type, venture_id, payload, actor)
      select e.t, v_saga.venture_id, e.p, eva_private.fn_caller_role()
      from (
        select e.n as k, e.v ->> 0 as t, e.v -> 1 as p
        from pg_catalog.jsonb_array_elements(v_events) with ordinality e(v, n)
        union all
        select 2 + x.k, x.t, x.p
        from opened n, lateral eva_private.fn_contract_opened_events(n) x
      ) e
      order by e.k
    )
    select pg_catalog.jsonb_build_object('run', true,
        'saga', pg_catalog.to_jsonb(m),
        'now', v_sched,
        'attempt', v_attempt,
        'results', v_results,
        'contract', pg_catalog.jsonb_build_object('id', n.id, 'attempt', n.attempt,
          'circuits', pg_catalog.to_jsonb(n.circuits), 'clean', true),
        'step', v_next)
    into v_answer
    from moved m, opened n;
    perform pg_catalog.set_config('eva.saga_chain', '', true);
    return v_answer;
  end if;

  -- The step's record (as eva_private.fn_saga_step_done writes it).
  insert into eva.eva_saga_steps as s (saga_id, venture_id, step, status, attempts, result, completed_at)
  values (p_saga_id, v_saga.venture_id, p_step, p_status, 1, coalesce(p_result, '{}'::jsonb), v_now)
  on conflict (saga_id, step) do update
    set status = excluded.status, attempts = s.attempts + 1, result = excluded.result, error = null,
        completed_at = excluded.completed_at, updated_at = pg_catalog.now();

  if v_next is null then
    update eva.eva_sagas
    set status = 'completed', completed_at = v_now, step_attempts = 0, next_attempt_at = null,
        wait_until = null, last_error = null, updated_at = v_now
    where id = p_saga_id returning * into v_saga;
    v_events := v_events || pg_catalog.jsonb_build_array(
      pg_catalog.jsonb_build_array('saga.completed', pg_catalog.jsonb_build_object(
        'saga_id', v_saga.id, 'saga_type', v_saga.saga_type, 'steps', v_saga.steps)));
    insert into eva.eva_event_log (event_type, venture_id, payload, actor)
    select e.v ->> 0, v_saga.venture_id, e.v -> 1, eva_private.fn_caller_role()
    from pg_catalog.jsonb_array_elements(v_events) with ordinality e(v, n) order by e.n;
    return pg_catalog.jsonb_build_object('run', false, 'reason', 'the saga is ' || v_saga.status,
      'saga', pg_catalog.to_jsonb(v_saga));
  end if;

  -- The next step passes circuit breakers, or runs under the contract an open circuit left pending:
  -- the saga moves on here, the step is begun the general way.
  v_sched := eva.fn_scheduler_now();
  perform pg_catalog.set_config('eva.saga_chain', p_saga_id::text, true);
  update eva.eva_sagas
  set current_step = v_next, step_attempts = 0, next_attempt_at = null, wait_until = null, last_error = null,
      updated_at = v_now,
      timeout_at = case when timeout_at is not null then greatest(timeout_at, v_sched + interval '1 day') end
  where id = p_saga_id;
  perform pg_catalog.set_config('eva.saga_chain', '', true);
  insert into eva.eva_event_log (event_type, venture_id, payload, actor)
  select e.v ->> 0, v_saga.venture_id, e.v -> 1, eva_private.fn_caller_role()
  from pg_catalog.jsonb_array_elements(v_events) with ordinality e(v, n) order by e.n;
  select coalesce(pg_catalog.array_agg(x), '{}') into v_circuits
  from pg_catalog.jsonb_array_elements_text(coalesce(p_circuits, '{}'::jsonb) -> v_next) x;
  return eva_private.fn_saga_step_begin(p_saga_id, v_next, v_circuits, p_claimed_by)
    || pg_catalog.jsonb_build_object('step', v_next);
end;
$$;
comment on function eva_private.fn_saga_step_next(uuid, text, text, jsonb, uuid, text, jsonb, text) is
  'Records a saga step completed or skipped (as eva_private.fn_saga_step_done, no job queued for the next step) and begins the next one (as eva_private.fn_saga_step_begin) in one call; { run: false, saga } when there is none to run now.';
grant execute on function eva_private.fn_saga_step_next(uuid, text, text, jsonb, uuid, text, jsonb, text) to eva_service;
