-- Orchestration metrics (spec §13): how often a stage fails or needs another
-- attempt. A run is a venture_stage_work row that began at least once;
-- failure_rate = failed / (completed + failed); a retried run took more than
-- one attempt (the job ran again after an error or a crash); a re-run is the
-- stage run again for the venture (run_number > 1: revise, reality-gate retry).
create or replace view eva.orchestration_stage_failures with (security_invoker = true) as
select w.lifecycle_stage as stage,
  pg_catalog.count(*) as runs,
  pg_catalog.count(*) filter (where w.status = 'completed') as completed,
  pg_catalog.count(*) filter (where w.status = 'failed') as failed,
  pg_catalog.count(*) filter (where w.status = 'blocked') as blocked,
  pg_catalog.round(pg_catalog.count(*) filter (where w.status = 'failed')::numeric
    / nullif(pg_catalog.count(*) filter (where w.status in ('completed', 'failed')), 0), 4) as failure_rate,
  pg_catalog.count(*) filter (where w.attempts > 1) as retried,
  pg_catalog.round(pg_catalog.count(*) filter (where w.attempts > 1)::numeric / pg_catalog.count(*), 4) as retry_rate,
  pg_catalog.count(*) filter (where w.run_number > 1) as reruns
from eva.venture_stage_work w
where w.attempts > 0
group by w.lifecycle_stage
order by w.lifecycle_stage;
comment on view eva.orchestration_stage_failures is
  'Per stage: runs begun, completed, failed, blocked now, failure_rate (failed / (completed + failed)), retried (more than one attempt) and retry_rate, reruns (run_number > 1).';
grant select on eva.orchestration_stage_failures to eva_chairman, eva_service, eva_viewer;
