-- The event bus's dispatcher (the event_dispatch job): reads the event log
-- after its cursor through eva.fn_events_after, so in commit order and only
-- events whose transaction and every older one have ended (none is skipped,
-- none read twice), matches them against the enabled subscriptions (their
-- patterns, then their filter: eva_private.fn_event_filter_passes), writes one
-- delivery row per (subscription, event) and queues one event_deliver job per
-- delivery (job_key event_deliver:<subscription>:<event>), then moves its
-- cursor: all in this one transaction. The cursor row's lock serialises two
-- dispatchers. A full batch queues a successor at once; committed events that
-- cannot be listed yet (an older transaction still runs), or any other
-- transaction still running as it reads, queue one 50 ms later: the older one
-- may log nothing and so wake no dispatcher; a running one may have logged
-- events and left the waking to this one (see eva_private.tg_event_log_dispatch).
-- graphile-worker takes a job queued for later when a worker looks for work
-- (after a job, or on its poll: src/worker.ts), and the next transaction that
-- logs events brings it forward.
-- A subscription never receives the dead letter of its own delivery (a
-- failing `*` subscription would otherwise feed itself).
create or replace function eva_private.fn_event_dispatch(p_limit int default 500, p_successor boolean default true)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_cursor eva_private.event_dispatch_cursor;
  v_limit int := greatest(coalesce(p_limit, 500), 1);
  v_read int;
  v_last_xact bigint;
  v_last_id bigint;
  v_queued int;
  v_next text := null;
  v_busy boolean;
begin
  select * into v_cursor from eva_private.event_dispatch_cursor c where c.id for update;
  -- Another transaction of this database still running (eva.fn_event_horizon; cheap, unlike pg_locks)
  -- may have logged events and, seeing this dispatcher queued before a worker took it, left the
  -- waking to it (eva_private.tg_event_log_dispatch): looked at before reading, so one ending in
  -- between is read below.
  -- Only this database's: the horizon is below the snapshot's xmax exactly when one of them runs.
  v_busy := eva.fn_event_horizon() < pg_catalog.pg_snapshot_xmax(pg_catalog.pg_current_snapshot())::text::bigint;
  with events as materialized (
    select e.id, e.xact_id, e.event_type, e.venture_id, e.payload, e.created_at
    from eva.fn_events_after(v_cursor.xact_id::text || '.' || v_cursor.event_id::text, v_limit, 'all') e
  ), subscriptions as materialized (
    -- eva_private.fn_event_type_matches's rule with each subscription's LIKE patterns built once, not
    -- once per (subscription, event) pair: that function call cost ~35 µs a pair, the LIKE ANY well under 1.
    select s.id, s.after_xact_id, s.after_event_id, s.filter,
      array(select pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(pg_catalog.replace(
          p, '\', '\\'), '%', '\%'), '_', '\_'), '*', '%')
        from pg_catalog.unnest(s.event_types) p) as likes
    from eva.event_subscriptions s
    where s.enabled
  ), inserted as (
    insert into eva.event_deliveries (subscription_id, event_id, event_logged_at, event_type, venture_id)
    select s.id, e.id, e.created_at, e.event_type, e.venture_id
    from events e
    join subscriptions s on (e.xact_id, e.id) > (s.after_xact_id, s.after_event_id)
      and not (e.event_type = 'system.dead_letter' and e.payload ->> 'subscription_id' = s.id::text)
      -- The subscription's filter only for events of its types (a CASE keeps that order).
      and case when e.event_type like any (s.likes)
            then s.filter is null or eva_private.fn_event_filter_passes(s.filter, e.id, e.venture_id, e.payload)
            else false end
    order by e.xact_id, e.id, s.id
    on conflict (subscription_id, event_id, event_logged_at) do nothing
    returning id, subscription_id, event_id, event_logged_at
  ), queued as (
    select pg_catalog.count(*)::int as n from graphile_worker.add_jobs(array(
      select row('event_deliver',
          pg_catalog.json_build_object('delivery_id', i.id, 'logged_at', i.event_logged_at),
          case when s.ordered then 'event_subscription:' || s.id end,
          -- graphile-worker takes jobs by (priority, run_at) only: a microsecond apart keeps them in commit order.
          pg_catalog.now() + pg_catalog.make_interval(secs => (pg_catalog.row_number() over (order by i.id)) / 1e6),
          s.max_attempts, 'event_deliver:' || i.subscription_id || ':' || i.event_id, null, null
        )::graphile_worker.job_spec
      from inserted i join eva.event_subscriptions s on s.id = i.subscription_id
      order by i.id))
  )
  select (select pg_catalog.count(*)::int from events),
         (select e.xact_id from events e order by e.xact_id desc, e.id desc limit 1),
         (select e.id from events e order by e.xact_id desc, e.id desc limit 1),
         (select q.n from queued q)
  into v_read, v_last_xact, v_last_id, v_queued;

  if v_read > 0 then
    update eva_private.event_dispatch_cursor c
    set xact_id = v_last_xact, event_id = v_last_id, dispatched = c.dispatched + v_queued, updated_at = pg_catalog.now()
    where c.id;
  else
    v_last_xact := v_cursor.xact_id;
    v_last_id := v_cursor.event_id;
  end if;

  if v_read = v_limit then
    perform eva_private.fn_enqueue_event_dispatch(null);
    v_next := 'now';
  elsif exists (select 1 from eva.eva_event_log e where (e.xact_id, e.id) > (v_last_xact, v_last_id)) then
    v_next := 'blocked';
  elsif v_busy then
    v_next := 'soon';
  end if;
  if v_next in ('blocked', 'soon') and p_successor then
    perform eva_private.fn_enqueue_event_dispatch(pg_catalog.clock_timestamp() + interval '50 milliseconds');
  end if;
  return pg_catalog.jsonb_build_object('read', v_read, 'queued', v_queued, 'next', v_next,
    'cursor', v_last_xact::text || '.' || v_last_id::text);
end;
$$;
comment on function eva_private.fn_event_dispatch(int, boolean) is
  'The event_dispatch job: matches up to p_limit events after its cursor (commit order, gap-free) against enabled subscriptions, writes their deliveries and queues one event_deliver job each, moves the cursor; queues a successor when more remain or another transaction runs (p_successor false: only for a full batch). Returns {read, queued, next (now, blocked, soon or null), cursor}.';
grant execute on function eva_private.fn_event_dispatch(int, boolean) to eva_service;
