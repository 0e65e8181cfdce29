-- The one job per dispatch (job_key marketing_dispatch:<id>), at p_run_at.
-- Queued in the transaction that makes the dispatch due, so a due dispatch
-- always has its job.
create or replace function eva_private.fn_marketing_enqueue_dispatch(p_dispatch_id uuid, p_run_at timestamptz default null)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform graphile_worker.add_job(
    'marketing_dispatch',
    pg_catalog.json_build_object('dispatch_id', p_dispatch_id),
    job_key := 'marketing_dispatch:' || p_dispatch_id,
    run_at := coalesce(p_run_at, pg_catalog.now()),
    max_attempts := 10
  );
end;
$$;
comment on function eva_private.fn_marketing_enqueue_dispatch(uuid, timestamptz) is
  'Queues the dispatch''s job marketing_dispatch (once: job_key marketing_dispatch:<id>) at p_run_at or now.';
grant execute on function eva_private.fn_marketing_enqueue_dispatch(uuid, timestamptz) to eva_service;
