-- One job per ready stage work row (job_key), committed with the change that
-- made it ready; graphile-worker's NOTIFY wakes a worker at once.
-- graphile_worker.add_jobs takes its jobs as an array: planned for one job
-- (a custom plan) each statement looks cheaper than its generic plan (sized
-- for ten), so PostgreSQL re-plans all five of them on every call, about 2 ms,
-- most of the enqueue's cost. The generic plans are right for one job too, but
-- for one: add_jobs first clears the job_key of a running job with that key,
-- and its generic plan hashes the specs and reads the whole jobs table, whose
-- heap holds every finished job's dead row until it is vacuumed (3 ms and
-- growing over a busy run); without sequential scans it looks the key up in
-- its unique index.
-- The job carries the venture's priority (eva_private.fn_stage_run_priority): with
-- more ready work than workers, the most valuable ventures run first.
create or replace function eva_private.fn_enqueue_stage_run(p_work_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
set plan_cache_mode = force_generic_plan
set enable_seqscan = off
as $$
begin
  perform graphile_worker.add_job(
    'stage_run',
    pg_catalog.json_build_object('work_id', p_work_id),
    job_key := 'stage_run:' || p_work_id,
    max_attempts := 5,
    priority := (select eva_private.fn_stage_run_priority(w.venture_id) from eva.venture_stage_work w where w.id = p_work_id)
  );
end;
$$;
comment on function eva_private.fn_enqueue_stage_run(uuid) is
  'Queues the stage_run job for a stage work row (once: job_key stage_run:<work id>), with the venture''s priority (lower runs first).';

-- Generic plans (plan_cache_mode): a custom plan of its test folds the new
-- row's status away, so it was re-planned for most stage work rows written.
create or replace function eva_private.tg_venture_stage_work_ready()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
set plan_cache_mode = force_generic_plan
as $$
begin
  if new.status = 'ready' and (tg_op = 'INSERT' or old.status is distinct from 'ready')
     and (select v.status from eva.ventures v where v.id = new.venture_id) = 'active' then
    perform eva_private.fn_enqueue_stage_run(new.id);
  end if;
  return null;
end;
$$;
comment on function eva_private.tg_venture_stage_work_ready() is 'Trigger: queues stage_run when a work row of an active venture becomes ready.';

create or replace trigger _700_enqueue_stage_run after insert or update of status on eva.venture_stage_work
  for each row execute function eva_private.tg_venture_stage_work_ready();

-- A venture that becomes active again (resumed, decided) gets its ready work queued.
create or replace function eva_private.tg_ventures_resume_work()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform eva_private.fn_enqueue_stage_run(w.id)
  from eva.venture_stage_work w
  where w.venture_id = new.id and w.status = 'ready';
  return null;
end;
$$;
comment on function eva_private.tg_ventures_resume_work() is 'Trigger: queues stage_run for the ready work of a venture that became active.';

create or replace trigger _700_resume_work after update of status on eva.ventures
  for each row when (new.status = 'active' and old.status is distinct from 'active')
  execute function eva_private.tg_ventures_resume_work();
