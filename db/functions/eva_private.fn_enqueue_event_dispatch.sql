-- The dispatcher's one job: a queued one is moved to p_run_at (replace mode);
-- a running one keeps running and a successor is queued behind it.
-- PL/pgSQL with generic plans, as eva_private.fn_enqueue_stage_run: a SQL
-- function is parsed and planned on every call, and graphile_worker.add_jobs's
-- statements, planned for one job, were re-planned on every call too (and
-- without sequential scans, as there: the job_key is looked up by its index).
create or replace function eva_private.fn_enqueue_event_dispatch(p_run_at timestamptz)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
set plan_cache_mode = force_generic_plan
set enable_seqscan = off
as $$
begin
  perform graphile_worker.add_job('event_dispatch', '{}'::json, job_key := 'event_dispatch',
    run_at := coalesce(p_run_at, pg_catalog.now()), max_attempts := 25);
end;
$$;
comment on function eva_private.fn_enqueue_event_dispatch(timestamptz) is
  'Queues the event dispatcher (job_key event_dispatch; a running one gets a successor) at p_run_at (null: now).';
grant execute on function eva_private.fn_enqueue_event_dispatch(timestamptz) to eva_service;
