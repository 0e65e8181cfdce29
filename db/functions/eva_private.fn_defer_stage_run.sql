-- A stage run that cannot start now (a circuit breaker is open) gets its job
-- queued again for when the circuit half-opens: p_retry_at is breaker time
-- (eva.fn_circuit_now()), turned into real time for graphile-worker. Same
-- job_key as eva_private.fn_enqueue_stage_run: the running job's key is
-- released and this one replaces any queued one.
create or replace function eva_private.fn_defer_stage_run(p_work_id uuid, p_retry_at timestamptz)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform graphile_worker.add_job(
    'stage_run',
    pg_catalog.json_build_object('work_id', p_work_id),
    job_key := 'stage_run:' || p_work_id,
    max_attempts := 5,
    run_at := pg_catalog.now() + greatest(coalesce(p_retry_at - eva.fn_circuit_now(), interval '0'), interval '0'),
    priority := (select eva_private.fn_stage_run_priority(w.venture_id) from eva.venture_stage_work w where w.id = p_work_id)
  );
end;
$$;
comment on function eva_private.fn_defer_stage_run(uuid, timestamptz) is
  'Queues a stage work row''s stage_run job again for p_retry_at (breaker time), when its open circuit half-opens.';
