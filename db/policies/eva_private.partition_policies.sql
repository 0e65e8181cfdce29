-- The partition manager's registry: only eva_owner (migrations, psql as the
-- owner) reads and changes it; the manager's functions are security definer.
alter table eva_private.partition_policies enable row level security;
