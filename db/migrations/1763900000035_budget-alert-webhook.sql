-- Up Migration

-- A marketing budget's 80 % alert is an immediate notification (inbox and
-- webhook): its webhook goes out through the notification-webhook subscription,
-- like every other notification, from the alert's event.
update eva.event_subscriptions
set event_types = event_types || array['marketing.budget_alert']
where name = 'notification-webhook' and not ('marketing.budget_alert' = any (event_types));

-- Down Migration

update eva.event_subscriptions
set event_types = pg_catalog.array_remove(event_types, 'marketing.budget_alert')
where name = 'notification-webhook';
