-- Re-ranking (spec §4, "venture priority re-ranking after any stage completion
-- or decision"): the queued stage_run jobs of the given ventures (all when
-- null) get their venture's current priority. Only jobs no worker holds yet
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

-- What changes a venture's score re-ranks its queued work and that of the
-- ventures it waits on (their downstream term counts it): a stage completed,
-- a decision made, a new health score or revenue projection. TG_ARGV[0] names
-- the column holding the venture's id.
create or replace function eva_private.tg_rerank_stage_runs()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_venture uuid := (pg_catalog.to_jsonb(new) ->> tg_argv[0])::uuid;
begin
  perform eva_private.fn_rerank_stage_runs(array[v_venture] || array(
    select d.provider_venture_id from eva.venture_dependencies d
    where d.dependent_venture_id = v_venture and d.status = 'pending'));
  return null;
end;
$$;
comment on function eva_private.tg_rerank_stage_runs() is
  'Trigger: re-ranks the queued stage_run jobs of the venture (column TG_ARGV[0]) and of its pending providers.';

create or replace trigger _720_rerank_stage_runs after update of status on eva.venture_stage_work
  for each row when (new.status = 'completed' and old.status is distinct from 'completed')
  execute function eva_private.tg_rerank_stage_runs('venture_id');
create or replace trigger _720_rerank_stage_runs after update of status on eva.chairman_decisions
  for each row when (new.status = 'decided' and old.status is distinct from 'decided' and new.venture_id is not null)
  execute function eva_private.tg_rerank_stage_runs('venture_id');
create or replace trigger _720_rerank_stage_runs after update of health_score, projected_revenue on eva.ventures
  for each row when (new.health_score is distinct from old.health_score or new.projected_revenue is distinct from old.projected_revenue)
  execute function eva_private.tg_rerank_stage_runs('id');
