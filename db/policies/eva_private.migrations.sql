-- The migrations ledger of node-pg-migrate: internal, no role but the owner reads it.
alter table eva_private.migrations enable row level security;
