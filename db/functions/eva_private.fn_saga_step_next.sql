-- A saga step's success (or skip) and the start of the step after it, in one
-- transaction and one round trip, for the saga_step job that runs a saga's
-- steps one after another (src/orchestration/sagas/engine.ts): records the
-- step and completes its contract (eva_private.fn_saga_step_done with
-- p_chain, so no job is queued for the next step), then, when the saga moved
-- on to a next step it may run now, begins that one
-- (eva_private.fn_saga_step_begin: its inputs and its contract, claimed and
-- started, or deferred while a circuit is open) and answers as that does,
-- with `step` naming it. p_circuits: the circuit breakers per step name of the
-- steps that call the model ({ step: [service…] }). Otherwise (the saga
-- completed, waits or is no longer active) { run: false, saga }.
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
  v_circuits text[];
begin
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
end;
$$;
comment on function eva_private.fn_saga_step_next(uuid, text, text, jsonb, uuid, text, jsonb, text) is
  'Records a saga step completed or skipped (eva_private.fn_saga_step_done, no job queued for the next step) and begins the next one (eva_private.fn_saga_step_begin) in one call; { run: false, saga } when there is none to run now.';
grant execute on function eva_private.fn_saga_step_next(uuid, text, text, jsonb, uuid, text, jsonb, text) to eva_service;
