-- What the event_deliver job needs in one read: the delivery, its
-- subscription and the event, and whether it is to run at all (a delivered or
-- dead-lettered delivery is not run again; a replay runs only while it is the
-- DLQ row's queued replay). Null when the delivery is gone.
-- PL/pgSQL, not SQL: a SQL function is parsed and planned on every call (one
-- per delivery); this one keeps its plan per session. Generic: the log and the
-- deliveries are partitioned, so a custom plan (pruned to one partition)
-- always looked cheaper and was made again for every call; the generic plan
-- prunes both at run time (hence the event's time compared with p_logged_at too).
create or replace function eva_private.fn_event_delivery(p_delivery_id bigint, p_logged_at timestamptz,
  p_dlq_id bigint default null, p_replay int default null)
returns jsonb
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
set plan_cache_mode = force_generic_plan
-- That plan is made on the connection's first delivery, often while the log is nearly empty, and
-- kept for the connection's life (until an ANALYZE): planned then as a scan of the event's
-- partition for its time, every later delivery read the whole partition (5 ms and more as the
-- log grows). The event is always found by its key instead; without JIT, which the cost of a
-- disabled scan would otherwise switch on.
set enable_seqscan = off
set jit = off
as $$
begin
  return (select pg_catalog.jsonb_build_object(
    'runnable', case when p_dlq_id is null then d.status in ('pending', 'retrying')
                     else d.status <> 'delivered' and coalesce((
                       select q.replays = p_replay and q.replay_status = 'queued' and q.status = 'pending'
                       from eva.eva_event_dlq q where q.id = p_dlq_id and q.delivery_id = d.id), false) end,
    'delivery', pg_catalog.jsonb_build_object('id', d.id, 'status', d.status, 'attempts', d.attempts,
      'loggedAt', d.event_logged_at),
    'subscription', pg_catalog.jsonb_build_object('id', s.id, 'name', s.name, 'handler', s.handler,
      'config', s.config, 'maxAttempts', s.max_attempts),
    'event', pg_catalog.jsonb_build_object('id', e.id, 'type', e.event_type, 'ventureId', e.venture_id,
      'payload', e.payload, 'actor', e.actor, 'createdAt', e.created_at, 'cursor', e.cursor))
  from eva.event_deliveries d
  join eva.event_subscriptions s on s.id = d.subscription_id
  -- The event by its key, after the delivery (lateral, not flattened: joined as a plain table, it was
  -- read first, scanning its partition for the time); the event's time too: the log is partitioned
  -- by it, so one partition is read, not all.
  cross join lateral (
    select l.* from eva.eva_event_log l
    where l.id = d.event_id and l.created_at = d.event_logged_at and l.created_at = p_logged_at
    offset 0) e
  where d.id = p_delivery_id and d.event_logged_at = p_logged_at);
end;
$$;
comment on function eva_private.fn_event_delivery(bigint, timestamptz, bigint, int) is
  'The delivery, subscription and event an event_deliver job works on, with runnable (false once delivered or dead-lettered, or for a replay no longer queued); null when gone.';
grant execute on function eva_private.fn_event_delivery(bigint, timestamptz, bigint, int) to eva_service;
