-- Wakes the event bus's dispatcher (the event_dispatch job) for events just
-- logged. Called by each worker's dispatch waker (src/orchestration/event-bus.ts)
-- when the eva_events NOTIFY of a committed transaction arrives — outside the
-- transactions that log events: add_job with a job_key updates the one queued
-- job's row, and doing that inside every event-logging transaction made them
-- queue on that row lock through each other's commits. Nothing is queued when
-- no subscription is enabled (the cursor catches up when one is), when none of
-- the notified transactions (p_xact_ids, their ids from the NOTIFY payloads;
-- null: any) logged an event whose type an enabled subscription takes (a saga
-- step's or a contract's bookkeeping: the dispatcher passes those events by
-- when it next runs, and had nothing to deliver for them), or when a
-- dispatcher is queued, not yet taken, and due now or within 100 ms (it reads
-- these events; one taken meanwhile sees them or queues a successor,
-- eva_private.fn_event_dispatch); one queued for later (a retry) is brought forward.
-- (The version without arguments came first; it woke the dispatcher for every transaction.)
drop function if exists eva_private.fn_wake_event_dispatch();
create or replace function eva_private.fn_wake_event_dispatch(p_xact_ids bigint[] default null)
returns boolean
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
-- One plan for every call: re-planned per call (the event log's partitions) it cost ten times its run.
set plan_cache_mode = force_generic_plan
-- That plan is made on the waker's first call, often while the log is still nearly empty, and kept
-- for the connection's life (until an ANALYZE of the log). Planned then as a sequential scan, every
-- later call read the whole log (9 ms a call at 40,000 events, more as it grows): the lookup by
-- transaction always takes the (xact_id, id) index instead. Without JIT, which the cost of a
-- disabled scan would otherwise switch on (200 ms a call).
set enable_seqscan = off
set jit = off
as $$
begin
  if not exists (select 1 from eva.event_subscriptions s where s.enabled) then
    return false;
  end if;
  -- The types those transactions logged against the enabled subscriptions' patterns: a pattern
  -- without `*` is the type itself (compared directly: the pattern matcher costs a call per pair).
  if p_xact_ids is not null and not exists (
    select 1
    from (select distinct e.event_type from eva.eva_event_log e where e.xact_id = any (p_xact_ids)) t
    join eva.event_subscriptions s on s.enabled
      and (t.event_type = any (s.event_types)
        or (pg_catalog.strpos(pg_catalog.array_to_string(s.event_types, ' '), '*') > 0
          and eva_private.fn_event_type_matches(s.event_types, t.event_type)))) then
    return false;
  end if;
  if exists (select 1 from graphile_worker.jobs j
             where j.key = 'event_dispatch' and j.locked_at is null and j.attempts < j.max_attempts
               and (j.run_at <= j.updated_at or j.run_at <= pg_catalog.now() + interval '100 milliseconds')) then
    return false;
  end if;
  perform eva_private.fn_enqueue_event_dispatch(null);
  return true;
end;
$$;
comment on function eva_private.fn_wake_event_dispatch(bigint[]) is
  'Queues the event dispatcher now unless no subscription is enabled, none of the notified transactions (p_xact_ids; null: any) logged an event an enabled subscription takes, or one is already queued and due; returns whether it queued. Called by the workers'' dispatch waker on each eva_events NOTIFY.';
grant execute on function eva_private.fn_wake_event_dispatch(bigint[]) to eva_service;
