-- Dead letter queue: services park failed events and retry them; the
-- Chairman reads and resolves them; viewers see none.
alter table eva.eva_event_dlq enable row level security;

create policy "the Chairman and services read eva event dlq" on eva.eva_event_dlq
  for select to eva_chairman, eva_service using (true);
create policy "services add eva event dlq" on eva.eva_event_dlq
  for insert to eva_service
  with check (true);
create policy "services change eva event dlq" on eva.eva_event_dlq
  for update to eva_service
  using (true)
  with check (true);
create policy "the Chairman changes eva event dlq" on eva.eva_event_dlq
  for update to eva_chairman
  using (true)
  with check (true);

grant select on eva.eva_event_dlq to eva_chairman, eva_service;
grant insert (event_id, event_type, payload, failure_reason, retry_count) on eva.eva_event_dlq to eva_service;
grant update (status, retry_count, failure_reason, last_failed_at) on eva.eva_event_dlq to eva_service;
grant update (status) on eva.eva_event_dlq to eva_chairman;
-- Viewers may query it (the orchestration metrics views read it as the
-- caller) and, having no policy, see no dead letter.
grant select on eva.eva_event_dlq to eva_viewer;
