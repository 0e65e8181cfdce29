-- The half-open release (tick circuit_release, every minute): stage runs
-- deferred by an open circuit (pending contracts with deferred_until) whose
-- circuit has reached its half-open time on the breakers' clock
-- (eva.fn_circuit_now()) get their job queued now. Their job was already
-- queued for that time in real time (eva_private.fn_defer_stage_run); this
-- catches a breakers' clock moved forward (tests, an operator); a job of the
-- work that is running already is left alone. Idempotent:
-- deferred_until is cleared once released. Sagas paused at a step an open
-- circuit deferred (a pending saga_step contract) are resumed the same way:
-- the step runs again under that contract (eva_private.fn_contract_open).
-- Returns how many were released.
create or replace function eva_private.fn_circuit_release_due()
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz := eva.fn_circuit_now();
  v_c record;
  v_count int := 0;
begin
  for v_c in
    select c.id, c.stage_work_id from eva.agent_task_contracts c
    join eva.venture_stage_work w on w.id = c.stage_work_id and w.status = 'ready'
    join eva.ventures v on v.id = w.venture_id and v.status = 'active'
    where c.status = 'pending' and c.kind = 'stage_analysis' and c.deferred_until <= v_now
      -- A job already running for the work (its own run_at came) is not doubled.
      and not exists (select 1 from graphile_worker._private_jobs j
                      where j.key = 'stage_run:' || w.id and j.locked_at is not null)
    for update of c skip locked
  loop
    update eva.agent_task_contracts set deferred_until = null, updated_at = pg_catalog.now() where id = v_c.id;
    perform eva_private.fn_enqueue_stage_run(v_c.stage_work_id);
    v_count := v_count + 1;
  end loop;
  for v_c in
    select c.id, c.saga_id from eva.agent_task_contracts c
    join eva.eva_sagas s on s.id = c.saga_id and s.status = 'paused' and s.current_step = c.saga_step
    where c.status = 'pending' and c.kind = 'saga_step' and c.deferred_until <= v_now
    for update of c skip locked
  loop
    update eva.agent_task_contracts set deferred_until = null, updated_at = pg_catalog.now() where id = v_c.id;
    perform eva.fn_saga_resume(v_c.saga_id);
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;
comment on function eva_private.fn_circuit_release_due() is
  'Tick: stage runs deferred by an open circuit whose half-open time has come (breaker time) get their job queued now, and sagas paused at such a step resume. Returns the count.';
grant execute on function eva_private.fn_circuit_release_due() to eva_service;
