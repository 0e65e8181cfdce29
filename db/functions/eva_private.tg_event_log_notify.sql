-- Listeners (the API's subscriptions, the bench's Chairman) wake on NOTIFY and
-- re-read the log from their cursor (eva.fn_events_after), so a notification
-- is only a wake-up: one per transaction that logs events, however many it
-- logs (a stage run logs several). The trigger's WHEN skips the call once the
-- transaction has notified; the flag is transaction-local and is rolled back
-- with a subtransaction, as is the NOTIFY it sent.
create or replace function eva_private.tg_event_log_notify()
returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v_xact text := pg_catalog.pg_current_xact_id()::text;
begin
  if pg_catalog.current_setting('eva.events_notified', true) is distinct from v_xact then
    perform pg_catalog.set_config('eva.events_notified', v_xact, true);
    perform pg_catalog.pg_notify('eva_events', pg_catalog.json_build_object('xact_id', v_xact)::text);
  end if;
  return null;
end;
$$;
comment on function eva_private.tg_event_log_notify() is
  'Trigger: NOTIFY eva_events once per transaction that logs events (payload: its xact_id); readers catch up by cursor.';

-- A task contract's own bookkeeping (contract.*) wakes nobody: a transaction
-- that logs only those (a saga step's contract opened or finished) sends no
-- NOTIFY — every notifying commit takes PostgreSQL's one notify lock, so each
-- one serialises with the others — and its events are read at the next
-- wake-up, which the work's own next transaction (its step recorded, its
-- stage's result) brings within milliseconds.
-- The same holds for a stage run's start (stage.work_started, logged with its
-- contract's claim in eva.fn_begin_stage_run): it is read at the run's
-- result, whose transaction notifies, so a stage run takes the notify lock
-- once instead of twice. A run's start is also on its work row (status
-- in_progress, started_at) the moment it commits.
create or replace trigger _900_notify after insert on eva.eva_event_log
  for each row
  when (pg_catalog.current_setting('eva.events_notified', true) is distinct from pg_catalog.pg_current_xact_id()::text
        and new.event_type not like 'contract.%' and new.event_type <> 'stage.work_started')
  execute function eva_private.tg_event_log_notify();
