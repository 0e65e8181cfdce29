-- The partitions of EVA's time-partitioned tables with their size and when
-- retention takes each (eva.orchestration_partitions): read as the owner,
-- because partitions live in eva_partitions, which no request role may use.
create or replace function eva.fn_partition_status()
returns table (
  table_name text,
  partition_name text,
  is_default boolean,
  range_from timestamptz,
  range_to timestamptz,
  approx_rows bigint,
  bytes bigint,
  expires_at timestamptz
)
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select f.table_name, f.partition_name, f.is_default, f.range_from, f.range_to,
    greatest(c.reltuples, 0)::bigint, pg_catalog.pg_total_relation_size(c.oid),
    case when not f.is_default then
      pg_catalog.timezone('UTC', pg_catalog.timezone('UTC', f.range_to) + pg_catalog.make_interval(months => p.keep_months))
    end
  from eva_private.fn_partitions() f
  join eva_private.partition_policies p on p.table_name = f.table_name
  join pg_catalog.pg_class c on c.oid = pg_catalog.to_regclass(f.partition_name)
  order by f.table_name, f.is_default, f.range_from;
$$;
comment on function eva.fn_partition_status() is
  'Partitions of the time-partitioned tables: range, approximate rows (planner statistics), bytes, and when retention archives and drops each (scheduler time; the DEFAULT never).';
grant execute on function eva.fn_partition_status() to eva_chairman, eva_service, eva_viewer;
