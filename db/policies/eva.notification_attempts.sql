-- Delivery attempts: the Chairman and services read them; only
-- eva.fn_record_notification_attempt (the delivery job's) writes; append-only.
alter table eva.notification_attempts enable row level security;

create policy "the Chairman and services read notification attempts" on eva.notification_attempts
  for select to eva_chairman, eva_service using (true);

grant select on eva.notification_attempts to eva_chairman, eva_service;
