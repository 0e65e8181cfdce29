-- Event subscriptions are fed by one dispatcher job (event_dispatch, one
-- job_key), queued by the transaction that logs events, once however many it
-- logs (a stage run logs several). A deferred constraint trigger: add_job with
-- a job_key updates the queued job's row, and a row lock taken at the first
-- event would make every concurrent event-logging transaction wait for the
-- one holding it until it commits; at commit time the lock lasts only the
-- commit. The transaction-local flag lets the later rows of the transaction
-- return at once; with no enabled subscription nothing is queued (the
-- dispatcher's cursor catches up when one is added).
create or replace function eva_private.tg_event_log_dispatch()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_xact text := pg_catalog.pg_current_xact_id()::text;
begin
  if pg_catalog.current_setting('eva.events_dispatch_queued', true) is distinct from v_xact then
    perform pg_catalog.set_config('eva.events_dispatch_queued', v_xact, true);
    -- A dispatcher queued and not yet taken, due since it was written (its NOTIFY has woken a
    -- worker, which takes it after its current job) or within 100 ms (a successor: taken when a
    -- worker next looks for work), reads these events once this commits; one taken meanwhile
    -- sees this transaction still running and queues a successor (eva_private.fn_event_dispatch).
    -- Calling add_job again would only cost this commit, and under load run the dispatcher once
    -- per transaction instead of once per 50 ms. One queued for later (a retry) is brought forward.
    if exists (select 1 from eva.event_subscriptions s where s.enabled)
       and not exists (select 1 from graphile_worker.jobs j
                       where j.key = 'event_dispatch' and j.locked_at is null and j.attempts < j.max_attempts
                         and (j.run_at <= j.updated_at or j.run_at <= pg_catalog.now() + interval '100 milliseconds')) then
      perform eva_private.fn_enqueue_event_dispatch(null);
    end if;
  end if;
  return null;
end;
$$;
comment on function eva_private.tg_event_log_dispatch() is
  'Trigger (deferred to commit): queues the event_dispatch job once per transaction that logs events, when an enabled subscription exists.';

drop trigger if exists _910_dispatch on eva.eva_event_log;
create constraint trigger _910_dispatch after insert on eva.eva_event_log
  deferrable initially deferred
  for each row
  execute function eva_private.tg_event_log_dispatch();
