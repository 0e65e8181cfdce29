-- "From now on": the cursor a reader starts from when it wants only the events
-- still to come (a live subscription without a cursor of its own). Every
-- event eva.fn_events_after already lists sorts before it; every later one after it.
create or replace function eva.fn_event_cursor()
returns text
language sql
stable
set search_path = pg_catalog, pg_temp
as $$
  select eva.fn_event_horizon()::text || '.0';
$$;
comment on function eva.fn_event_cursor() is
  'The event feed cursor of now: reading after it returns only events not yet listable when it was taken.';
grant execute on function eva.fn_event_cursor() to eva_chairman, eva_service, eva_viewer;
