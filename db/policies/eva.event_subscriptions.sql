-- Event subscriptions: the Chairman, services and viewers read them; written
-- only through eva.fn_create_event_subscription / eva.fn_set_event_subscription_enabled.
alter table eva.event_subscriptions enable row level security;

create policy "the Chairman, services and viewers read event subscriptions" on eva.event_subscriptions
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.event_subscriptions to eva_chairman, eva_service, eva_viewer;
