-- Every alert raised is an eva.alert event, whichever path raised it, so
-- subscriptions (a webhook, a pager) hear of it.
create or replace function eva_private.tg_eva_alerts_event()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform eva_private.fn_log_event('eva.alert', new.venture_id, pg_catalog.jsonb_build_object(
    'alert_id', new.id, 'severity', new.severity, 'alert_type', new.alert_type, 'message', new.message,
    'details', new.details));
  return null;
end;
$$;
comment on function eva_private.tg_eva_alerts_event() is 'Trigger: logs eva.alert for each alert raised.';

create or replace trigger _800_event after insert on eva.eva_alerts
  for each row execute function eva_private.tg_eva_alerts_event();
