-- Up Migration

-- The event bus's dispatcher is woken by the workers (LISTEN eva_events, then
-- eva_private.fn_wake_event_dispatch), no longer by a commit-time trigger on
-- the event log: queuing the one dispatcher job inside every event-logging
-- transaction serialised those transactions on its row through their commits.
drop trigger if exists _910_dispatch on eva.eva_event_log;
drop function if exists eva_private.tg_event_log_dispatch();

-- Down Migration

-- db/functions no longer defines the trigger function; an older checkout's re-applies it.
select 1;
