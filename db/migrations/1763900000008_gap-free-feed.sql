-- Up Migration

-- A gap-free event feed (spec §11): the event id is assigned at insert, not at
-- commit, so a reader paging by id skips an event whose transaction commits
-- after a later one's. Each event now records the transaction that logged it;
-- the feed orders by (transaction, id) and lists only events of transactions
-- older than the oldest one still running, so nothing can commit behind a
-- reader's cursor. The cursor is that pair as text, opaque to clients.
-- bigint, not xid8: the same 64-bit value (epoch and xid), with an ordinary type every client knows.
alter table eva.eva_event_log
  add column xact_id bigint not null default pg_catalog.pg_current_xact_id()::text::bigint;
alter table eva.eva_event_log
  add column cursor text not null generated always as (xact_id::text || '.' || id::text) stored;
comment on column eva.eva_event_log.xact_id is 'The transaction that logged the event (pg_current_xact_id() as bigint); the feed''s order is (xact_id, id).';
comment on column eva.eva_event_log.cursor is 'Opaque feed cursor: pass it back to eva.fn_event_feed (or evaEvent) to resume after this event.';
comment on table eva.eva_event_log is 'Append-only event log (the event bus''s persistence); each transaction that logs events NOTIFYs channel eva_events once. Read it in commit order through eva.fn_event_feed and the cursor column.';
create index eva_event_log_cursor_idx on eva.eva_event_log (xact_id, id);

-- The feed's cursor is text now; the bigint signature goes (db/functions has the new one).
drop function if exists eva.fn_event_feed(bigint, int);

-- Down Migration
drop function if exists eva.fn_event_feed(text, int);
drop index eva.eva_event_log_cursor_idx;
alter table eva.eva_event_log drop column cursor;
alter table eva.eva_event_log drop column xact_id;
comment on table eva.eva_event_log is 'Append-only event log (the event bus''s persistence); every insert is NOTIFYed on channel eva_events. The id is a cursor.';
