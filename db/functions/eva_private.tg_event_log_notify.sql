-- Listeners (workers, GraphQL subscriptions) wake on NOTIFY and read the log
-- from their cursor, so the notification carries only what routing needs.
create or replace function eva_private.tg_event_log_notify()
returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  perform pg_catalog.pg_notify('eva_events', pg_catalog.json_build_object(
    'id', new.id, 'event_type', new.event_type, 'venture_id', new.venture_id)::text);
  return null;
end;
$$;
comment on function eva_private.tg_event_log_notify() is 'Trigger: NOTIFY eva_events with the new event''s id, type and venture.';

create or replace trigger _900_notify after insert on eva.eva_event_log
  for each row execute function eva_private.tg_event_log_notify();
