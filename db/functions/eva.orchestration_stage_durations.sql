-- Orchestration metrics (spec §13): how long a stage run takes, per stage,
-- from venture_stage_work's started_at (first attempt began) to completed_at.
-- At Chairman gates (Stages 0, 10, 22, 25) a run completes when the decision
-- is applied, so their durations include the Chairman's time.
create or replace view eva.orchestration_stage_durations with (security_invoker = true) as
select w.lifecycle_stage as stage,
  pg_catalog.count(*) as runs,
  pg_catalog.percentile_cont(0.5) within group (order by extract(epoch from w.completed_at - w.started_at)) as p50_seconds,
  pg_catalog.percentile_cont(0.95) within group (order by extract(epoch from w.completed_at - w.started_at)) as p95_seconds,
  pg_catalog.avg(extract(epoch from w.completed_at - w.started_at)) as mean_seconds,
  pg_catalog.max(extract(epoch from w.completed_at - w.started_at)) as max_seconds,
  pg_catalog.max(w.completed_at) as last_completed_at
from eva.venture_stage_work w
where w.status = 'completed' and w.started_at is not null and w.completed_at is not null
group by w.lifecycle_stage
order by w.lifecycle_stage;
comment on view eva.orchestration_stage_durations is
  'Per stage: completed runs and their duration (started_at to completed_at) p50, p95, mean and max in seconds; Chairman gates include the wait for the decision.';
grant select on eva.orchestration_stage_durations to eva_chairman, eva_service, eva_viewer;
