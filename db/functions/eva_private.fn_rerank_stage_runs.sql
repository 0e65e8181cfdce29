-- Re-ranking (spec §4, "venture priority re-ranking after any stage completion
-- or decision"): the queued stage_run jobs of the given ventures (all when
-- null) get their venture's current priority. A reaction, not part of the
-- change that moved the priority: the stage-run-rerank subscription calls it
-- (src/orchestration/event-handlers.ts); a worker taking a job by its old
-- priority in between only runs it a little early or late. Only jobs no worker holds yet
-- are moved, through graphile-worker's own graphile_worker.reschedule_jobs
-- (WorkerUtils.rescheduleJobs), which leaves run_at, attempts and the job's
-- key as they are; add_job with the same job_key would also reset a retry's
-- backoff and re-queue a job that a worker is running.
create or replace function eva_private.fn_rerank_stage_runs(p_venture_ids uuid[])
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  r record;
  v_moved int := 0;
begin
  for r in
    select p.priority, pg_catalog.array_agg(j.id) as ids
    from eva.venture_stage_work w
    join graphile_worker.jobs j on j.key = 'stage_run:' || w.id::text
    cross join lateral (select eva_private.fn_stage_run_priority(w.venture_id) as priority) p
    where (p_venture_ids is null or w.venture_id = any(p_venture_ids))
      and w.status = 'ready' and j.locked_at is null and j.priority <> p.priority
    group by p.priority
  loop
    perform graphile_worker.reschedule_jobs(r.ids, priority := r.priority);
    v_moved := v_moved + pg_catalog.cardinality(r.ids);
  end loop;
  return v_moved;
end;
$$;
comment on function eva_private.fn_rerank_stage_runs(uuid[]) is
  'Gives the queued (not yet locked) stage_run jobs of these ventures (null: every venture) their current priority; returns how many jobs moved.';
grant execute on function eva_private.fn_rerank_stage_runs(uuid[]) to eva_service;
