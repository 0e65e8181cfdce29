-- Which columns once referenced the event log by foreign key: the owner's
-- bookkeeping for eva_private.tg_event_reference_exists, nobody else's.
alter table eva_private.event_references enable row level security;
