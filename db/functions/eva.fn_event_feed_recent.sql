-- The dashboard's event feed opens on the recent past, not on the first event
-- ever logged: the feed's events (eva.fn_event_feed's rule, reused as is)
-- among the last p_window events the caller may read, oldest first, each
-- with its cursor, so the page then follows evaEvent(after: <the last cursor>)
-- with no gap and no repeat.
create or replace function eva.fn_event_feed_recent(p_window int default 1000)
returns setof eva.eva_event_log
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_window int := least(greatest(coalesce(p_window, 1000), 1), 10000);
  v_start text;
begin
  -- The cursor just before the window (none: the window reaches the first event).
  select e.cursor into v_start from eva.eva_event_log e
  order by e.xact_id desc, e.id desc offset v_window limit 1;
  return query select * from eva.fn_event_feed(v_start, v_window);
end;
$$;
comment on function eva.fn_event_feed_recent(int) is
  'The event feed''s significant events among the last p_window (1-10000, default 1000) events you may read, oldest first; resume after the last row''s cursor with eventFeed(pAfter) or evaEvent(feedOnly: true, after).';
grant execute on function eva.fn_event_feed_recent(int) to eva_chairman, eva_service, eva_viewer;
