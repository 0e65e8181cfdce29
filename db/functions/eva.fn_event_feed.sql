-- The dashboard's event feed (spec §11): the events a Chairman cares about,
-- after a cursor. The cursor is the event id; a client that reconnects with
-- the last id it saw gets everything after it, oldest first. Left out as
-- noise: artifact.created, stage.work_started, stage.work_completed (a stage
-- completion shows as stage.entered), stage.retried, sd.bridge_created,
-- sd.completed (per work item; saga.completed is kept), venture.awaiting_decision
-- (chairman.decision_requested says it) and dfe.evaluated that auto-proceeded.
create or replace function eva.fn_event_feed(p_after bigint default 0, p_limit int default 100)
returns setof eva.eva_event_log
language sql
stable
set search_path = pg_catalog, pg_temp
as $$
  select e.*
  from eva.eva_event_log e
  where e.id > coalesce(p_after, 0)
    and (
      (e.event_type like 'venture.%' and e.event_type <> 'venture.awaiting_decision')
      or e.event_type in ('stage.entered', 'stage.blocked', 'stage.failed', 'gate.evaluated', 'saga.completed')
      or e.event_type like 'chairman.%'
      or (e.event_type = 'dfe.evaluated' and coalesce(e.payload ->> 'output', '') <> 'AUTO_PROCEED')
    )
  order by e.id
  limit greatest(coalesce(p_limit, 100), 0);
$$;
comment on function eva.fn_event_feed(bigint, int) is
  E'Significant events after the cursor p_after (an event id), oldest first, at most p_limit: venture status changes (created, killed, sunset, exited, paused, activated), '
  'stage entries (stage completions; entering 24 is a launch), blocked and failed stages, gate outcomes (kill and reality gates), DFE evaluations that did not auto-proceed (escalations), '
  'Chairman decisions requested and made, completed engineering sagas. Pass the last id received to resume without gaps.';
grant execute on function eva.fn_event_feed(bigint, int) to eva_chairman, eva_service, eva_viewer;
