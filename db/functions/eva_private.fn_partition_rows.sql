-- Reads an expired partition page by page for its archive, in physical order
-- (ctid): stable for an append-only partition, and a TID range scan, so a
-- page costs the same at the end of a large partition as at its start.
create or replace function eva_private.fn_partition_rows(p_partition text, p_after tid default null, p_limit int default 5000)
returns table (row_tid tid, row_data jsonb)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if not exists (select 1 from eva_private.fn_partitions() f where f.partition_name = p_partition) then
    raise exception '% is not a partition of a registered table', p_partition using errcode = 'EV404';
  end if;
  return query execute pg_catalog.format(
    'select t.ctid, pg_catalog.to_jsonb(t) from %s t where t.ctid > $1 order by t.ctid limit $2', p_partition)
    using coalesce(p_after, '(0,0)'::tid), greatest(coalesce(p_limit, 5000), 1);
end;
$$;
comment on function eva_private.fn_partition_rows(text, tid, int) is
  'One page of a registered table''s partition as JSON rows, after the ctid p_after, for archiving.';
grant execute on function eva_private.fn_partition_rows(text, tid, int) to eva_service;
