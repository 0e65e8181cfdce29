-- Orchestration metrics (spec §13): the job queue per task (graphile-worker),
-- through eva.fn_job_queue (its tables admit only their owner).
create or replace view eva.orchestration_job_queue with (security_invoker = true) as
select q.task, q.queued, q.scheduled, q.running, q.retrying, q.failed, q.oldest_queued_at, q.oldest_queued_age
from eva.fn_job_queue() q;
comment on view eva.orchestration_job_queue is
  'graphile-worker''s queue per task: queued (due now), scheduled (later), running, retrying, failed (attempts exhausted), oldest queued job and its age.';
grant select on eva.orchestration_job_queue to eva_chairman, eva_service, eva_viewer;
