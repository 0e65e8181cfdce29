-- Wakes the event bus's dispatcher (the event_dispatch job) for events just
-- logged. Called by each worker's dispatch waker (src/orchestration/event-bus.ts)
-- when the eva_events NOTIFY of a committed transaction arrives — outside the
-- transactions that log events: add_job with a job_key updates the one queued
-- job's row, and doing that inside every event-logging transaction made them
-- queue on that row lock through each other's commits. Nothing is queued when
-- no subscription is enabled (the cursor catches up when one is), or when a
-- dispatcher is queued, not yet taken, and due now or within 100 ms (it reads
-- these events; one taken meanwhile sees them or queues a successor,
-- eva_private.fn_event_dispatch); one queued for later (a retry) is brought forward.
create or replace function eva_private.fn_wake_event_dispatch()
returns boolean
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if not exists (select 1 from eva.event_subscriptions s where s.enabled) then
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
comment on function eva_private.fn_wake_event_dispatch() is
  'Queues the event dispatcher now unless no subscription is enabled or one is already queued and due; returns whether it queued. Called by the workers'' dispatch waker on each eva_events NOTIFY.';
grant execute on function eva_private.fn_wake_event_dispatch() to eva_service;
