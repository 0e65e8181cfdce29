-- Whether a re-rank of these ventures would move anything: one of their queued
-- stage_run jobs (no worker holds it) is off its venture's current priority.
-- The dispatcher asks this (filter state queue_stale) before it writes a
-- delivery, so a stage completion that changed no job's rank costs no job.
create or replace function eva_private.fn_stage_runs_off_priority(p_venture_ids uuid[])
returns boolean
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select exists (
    select 1
    from eva.venture_stage_work w
    join graphile_worker.jobs j on j.key = 'stage_run:' || w.id::text
    where w.venture_id = any (p_venture_ids) and w.status = 'ready' and j.locked_at is null
      and j.priority <> eva_private.fn_stage_run_priority(w.venture_id));
$$;
comment on function eva_private.fn_stage_runs_off_priority(uuid[]) is
  'True when a queued, unlocked stage_run job of these ventures is off its venture''s current priority (eva_private.fn_rerank_stage_runs would move it).';
