-- Partitions past their table's retention: whose whole range ends before the
-- current UTC month (scheduler time) minus keep_months. Never the DEFAULT,
-- and never a partition reaching the real present, whatever the scheduler's
-- clock says: rows are stamped with real time.
create or replace function eva_private.fn_expired_partitions(p_now timestamptz default null)
returns table (table_name text, partition_name text, range_from timestamptz, range_to timestamptz,
  archive_before_drop boolean)
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select f.table_name, f.partition_name, f.range_from, f.range_to, p.archive_before_drop
  from eva_private.fn_partitions() f
  join eva_private.partition_policies p on p.table_name = f.table_name
  where not f.is_default
    and f.range_to <= pg_catalog.timezone('UTC', pg_catalog.date_trunc('month',
          pg_catalog.timezone('UTC', coalesce(p_now, eva.fn_scheduler_now()))) - pg_catalog.make_interval(months => p.keep_months))
    and f.range_to <= pg_catalog.now()
  order by f.table_name, f.range_from;
$$;
comment on function eva_private.fn_expired_partitions(timestamptz) is
  'Partitions of registered tables past retention (range ends before this month minus keep_months, scheduler time; never the DEFAULT nor one reaching the real present).';
grant execute on function eva_private.fn_expired_partitions(timestamptz) to eva_service;
