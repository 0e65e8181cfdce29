-- The dashboard's event feed (spec §11): the events a Chairman cares about,
-- after a cursor, in commit-safe order (see eva.fn_events_after, which holds
-- the cursor's rules and the list of what is left out as noise). A client
-- passes back the cursor of the last row it received and gets everything
-- after it, once, even events whose transactions committed late.
create or replace function eva.fn_event_feed(p_after text default null, p_limit int default 100)
returns setof eva.eva_event_log
language sql
stable
set search_path = pg_catalog, pg_temp
as $$
  select * from eva.fn_events_after(p_after, p_limit, 'feed');
$$;
comment on function eva.fn_event_feed(text, int) is
  E'Significant events after the cursor p_after (null: from the start), oldest first, at most p_limit: venture status changes (created, killed, sunset, exited, paused, activated), '
  'stage entries (stage completions; entering 24 is a launch), blocked and failed stages, gate outcomes (kill and reality gates), DFE evaluations that did not auto-proceed (escalations), '
  'Chairman decisions requested and made, completed engineering sagas. Each row has an opaque text cursor: pass the last one back to resume; an event is listed once its transaction and every older one have ended, so none is skipped.';
grant execute on function eva.fn_event_feed(text, int) to eva_chairman, eva_service, eva_viewer;
