-- The dispatcher's cursor: internal; written through eva_private.fn_event_dispatch.
alter table eva_private.event_dispatch_cursor enable row level security;
