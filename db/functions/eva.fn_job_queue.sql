-- graphile-worker's queue per task, for eva.orchestration_job_queue: its job
-- tables admit only their owner (eva_owner), so this reads them as the owner
-- and returns counts only (no payloads, no errors' text).
create or replace function eva.fn_job_queue()
returns table (
  task text,
  queued bigint,
  scheduled bigint,
  running bigint,
  retrying bigint,
  failed bigint,
  oldest_queued_at timestamptz,
  oldest_queued_age interval
)
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select t.identifier,
    pg_catalog.count(*) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at <= pg_catalog.now()),
    pg_catalog.count(*) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at > pg_catalog.now()),
    pg_catalog.count(*) filter (where j.locked_at is not null),
    pg_catalog.count(*) filter (where j.locked_at is null and j.attempts > 0 and j.attempts < j.max_attempts),
    pg_catalog.count(*) filter (where j.attempts >= j.max_attempts),
    pg_catalog.min(j.run_at) filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at <= pg_catalog.now()),
    pg_catalog.now() - pg_catalog.min(j.run_at)
      filter (where j.locked_at is null and j.attempts < j.max_attempts and j.run_at <= pg_catalog.now())
  from graphile_worker._private_jobs j
  join graphile_worker._private_tasks t on t.id = j.task_id
  group by t.identifier
  order by t.identifier;
$$;
comment on function eva.fn_job_queue() is
  'graphile-worker''s jobs per task: queued (due, waiting for a worker), scheduled (later), running (locked), retrying (failed before, will run again), failed (attempts exhausted), and the oldest queued job''s time and age.';
grant execute on function eva.fn_job_queue() to eva_chairman, eva_service, eva_viewer;
