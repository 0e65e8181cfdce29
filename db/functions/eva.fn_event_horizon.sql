-- The event log's horizon: events of transactions older than it are final
-- (their transaction and every older one that could log an event have ended),
-- so readers list an event once its xact_id is below it. It is the oldest
-- transaction still running IN THIS DATABASE as the reader's snapshot sees
-- it (pg_snapshot_xip), else the snapshot's xmax. Transactions of other
-- databases on the same server cannot log EVA's events, so they no longer
-- hold the feed, the subscriptions and the event bus back (the snapshot's
-- xmin alone is server-wide). A running transaction whose database cannot be
-- told (it ended between the snapshot and the look at pg_stat_activity)
-- counts as this database's: it can only delay an event, never skip one.
-- backend_xid is 32 bits; an in-progress xid8 is matched by its low 32 bits
-- (running transactions are always within 2^31 of each other).
create or replace function eva.fn_event_horizon()
returns bigint
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_snapshot pg_snapshot := pg_catalog.pg_current_snapshot();
  v_horizon bigint;
begin
  if not exists (select 1 from pg_catalog.pg_snapshot_xip(v_snapshot)) then
    return pg_catalog.pg_snapshot_xmax(v_snapshot)::text::bigint;
  end if;
  select pg_catalog.min(x::text::bigint) into v_horizon
  from pg_catalog.pg_snapshot_xip(v_snapshot) x
  where not exists (
    select 1 from pg_catalog.pg_stat_activity a
    where a.backend_xid is not null
      and a.datid <> (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database())
      and a.backend_xid::text::bigint = x::text::bigint % 4294967296
  );
  return coalesce(v_horizon, pg_catalog.pg_snapshot_xmax(v_snapshot)::text::bigint);
end;
$$;
comment on function eva.fn_event_horizon() is
  'The event log''s horizon for the current snapshot: the oldest transaction still running in this database, else the snapshot''s xmax. Events whose xact_id is below it are listed by eva.fn_events_after; other databases'' transactions do not hold it back.';
grant execute on function eva.fn_event_horizon() to eva_chairman, eva_service, eva_viewer;
