-- The partitions of every table in the partition manager's registry, with
-- their ranges read from the catalog (pg_get_expr of the partition bound), so
-- the manager never keeps a second list that could drift from the real one.
create or replace function eva_private.fn_partitions()
returns table (table_name text, partition_name text, is_default boolean, range_from timestamptz, range_to timestamptz)
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select p.table_name,
    pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname),
    b.bound = 'DEFAULT',
    (pg_catalog.regexp_match(b.bound, $r$FROM \('([^']+)'\)$r$))[1]::timestamptz,
    (pg_catalog.regexp_match(b.bound, $r$TO \('([^']+)'\)$r$))[1]::timestamptz
  from eva_private.partition_policies p
  join pg_catalog.pg_inherits i on i.inhparent = pg_catalog.to_regclass(p.table_name)
  join pg_catalog.pg_class c on c.oid = i.inhrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  cross join lateral (select pg_catalog.pg_get_expr(c.relpartbound, c.oid) as bound) b
  order by 1, 4 nulls last;
$$;
comment on function eva_private.fn_partitions() is
  'The partitions of each registered time-partitioned table (eva_private.partition_policies): name, whether it is the DEFAULT, and its range.';
grant execute on function eva_private.fn_partitions() to eva_service;
