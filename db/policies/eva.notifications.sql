-- The notification outbox is the Chairman's inbox: the Chairman and services
-- (the delivery jobs) read it; viewers and anonymous see none. Nobody writes a
-- row directly: EVA's triggers and eva.fn_notification_digest add them, and
-- eva.fn_notification_read / eva.fn_notifications_read_all mark them read.
alter table eva.notifications enable row level security;

create policy "the Chairman and services read notifications" on eva.notifications
  for select to eva_chairman, eva_service using (true);

grant select on eva.notifications to eva_chairman, eva_service;
