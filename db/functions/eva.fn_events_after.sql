-- The event log in commit-safe order, after a cursor: the one reader behind
-- eva.fn_event_feed and the API's live subscriptions. An event id is taken at
-- insert, not at commit, so paging by id alone skips an event whose
-- transaction commits after a later one's. Each event carries the transaction
-- that logged it (xact_id); rows come in (xact_id, id) order and only from
-- transactions older than the oldest one still running in this database
-- (eva.fn_event_horizon), all of which have ended: whatever commits later sorts after every cursor
-- handed out before. An event thus appears once its transaction and every
-- older one have ended. Security invoker: each role reads what RLS lets it.
--   p_scope: 'all' every readable event; 'feed' the dashboard's significant
--   events (eva.fn_event_feed); 'chairman' the chairman.* events (the queue).
create or replace function eva.fn_events_after(p_after text default null, p_limit int default 100, p_scope text default 'all')
returns setof eva.eva_event_log
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_xact bigint := 0;
  v_id bigint := 0;
  v_limit int := greatest(coalesce(p_limit, 100), 0);
  v_horizon bigint := eva.fn_event_horizon();
begin
  if coalesce(p_after, '') <> '' then
    if p_after !~ '^[0-9]{1,18}\.[0-9]{1,18}$' then
      raise exception '"%" is not an event feed cursor', p_after using errcode = 'EV400',
        hint = 'Pass back the cursor of the last event you received, or none to read from the start.';
    end if;
    v_xact := pg_catalog.split_part(p_after, '.', 1)::bigint;
    v_id := pg_catalog.split_part(p_after, '.', 2)::bigint;
  end if;
  if p_scope = 'feed' then
    -- Left out as noise: artifact.created, stage.work_started, stage.work_completed (a stage
    -- completion shows as stage.entered), stage.retried, sd.bridge_created, sd.completed (per
    -- work item; saga.completed is kept), venture.awaiting_decision (chairman.decision_requested
    -- says it) and dfe.evaluated that auto-proceeded.
    return query
      select e.* from eva.eva_event_log e
      where (e.xact_id, e.id) > (v_xact, v_id)
        and e.xact_id < v_horizon
        and (
          (e.event_type like 'venture.%' and e.event_type <> 'venture.awaiting_decision')
          or e.event_type in ('stage.entered', 'stage.blocked', 'stage.failed', 'gate.evaluated', 'saga.completed')
          or e.event_type like 'chairman.%'
          or (e.event_type = 'dfe.evaluated' and coalesce(e.payload ->> 'output', '') <> 'AUTO_PROCEED')
        )
      order by e.xact_id, e.id
      limit v_limit;
  elsif p_scope = 'chairman' then
    return query
      select e.* from eva.eva_event_log e
      where (e.xact_id, e.id) > (v_xact, v_id)
        and e.xact_id < v_horizon
        and e.event_type like 'chairman.%'
      order by e.xact_id, e.id
      limit v_limit;
  elsif p_scope = 'all' then
    return query
      select e.* from eva.eva_event_log e
      where (e.xact_id, e.id) > (v_xact, v_id)
        and e.xact_id < v_horizon
      order by e.xact_id, e.id
      limit v_limit;
  else
    raise exception 'unknown event scope "%"', p_scope using errcode = 'EV400', hint = 'Use all, feed or chairman.';
  end if;
end;
$$;
comment on function eva.fn_events_after(text, int, text) is
  'Events after the cursor p_after (null: from the start), in commit-safe order, at most p_limit; p_scope all, feed (eva.fn_event_feed) or chairman (chairman.* only). Pass the last row''s cursor back to resume: no event is skipped or repeated.';
grant execute on function eva.fn_events_after(text, int, text) to eva_chairman, eva_service, eva_viewer;
