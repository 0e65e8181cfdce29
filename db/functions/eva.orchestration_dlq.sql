-- Orchestration metrics (spec §3, §13): the dead letter queue's depth by
-- status. Row level security applies: viewers see no dead letters.
create or replace view eva.orchestration_dlq with (security_invoker = true) as
select d.status::text as status,
  pg_catalog.count(*) as events,
  pg_catalog.max(d.retry_count) as max_retries,
  pg_catalog.min(d.created_at) as oldest_at,
  pg_catalog.max(d.last_failed_at) as last_failed_at
from eva.eva_event_dlq d
group by d.status
order by d.status;
comment on view eva.orchestration_dlq is
  'Dead letters per status: how many, the most retries one had, the oldest and the last failure (the Chairman and services; viewers see none).';
grant select on eva.orchestration_dlq to eva_chairman, eva_service, eva_viewer;
