-- The daily partition tick's second half, after the rows are in the archive
-- store: records the archive, then detaches and drops the partition, in one
-- transaction. The partition is locked first and its rows counted: an archive
-- that does not hold every row is refused (EV409), never recorded, so nothing
-- is dropped that the archive lacks.
create or replace function eva_private.fn_archive_partition(
  p_partition text,
  p_row_count bigint,
  p_uri text,
  p_sha256 text,
  p_bytes bigint
)
returns bigint
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_expired record;
  v_rows bigint;
  v_id bigint;
begin
  select * into v_expired from eva_private.fn_expired_partitions() e where e.partition_name = p_partition;
  if not found then
    raise exception '% is not a partition past its retention', p_partition using errcode = 'EV409',
      hint = 'See eva_private.fn_expired_partitions() and eva_private.partition_policies.keep_months.';
  end if;
  if v_expired.archive_before_drop and (p_uri is null or p_sha256 is null) then
    raise exception '% must be archived before it is dropped', p_partition using errcode = 'EV400';
  end if;
  execute pg_catalog.format('lock table %s in access exclusive mode', p_partition);
  execute pg_catalog.format('select pg_catalog.count(*) from %s', p_partition) into v_rows;
  if v_rows <> p_row_count then
    raise exception '% holds % rows but its archive holds %', p_partition, v_rows, p_row_count using errcode = 'EV409',
      hint = 'Archive it again: nothing was dropped.';
  end if;
  insert into eva.partition_archives (table_name, partition_name, range_from, range_to, row_count, uri, sha256, bytes)
  values (v_expired.table_name, p_partition, v_expired.range_from, v_expired.range_to, v_rows, p_uri, p_sha256, p_bytes)
  returning id into v_id;
  execute pg_catalog.format('alter table %s detach partition %s', v_expired.table_name, p_partition);
  execute pg_catalog.format('drop table %s', p_partition);
  perform eva_private.fn_log_event('retention.partition_archived', null, pg_catalog.jsonb_build_object(
    'table', v_expired.table_name, 'partition', p_partition, 'rangeFrom', v_expired.range_from,
    'rangeTo', v_expired.range_to, 'rows', v_rows, 'uri', p_uri, 'sha256', p_sha256, 'archiveId', v_id));
  return v_id;
end;
$$;
comment on function eva_private.fn_archive_partition(text, bigint, text, text, bigint) is
  'Records the archive of an expired partition (row count checked against the partition under lock), then detaches and drops it; logs retention.partition_archived.';
grant execute on function eva_private.fn_archive_partition(text, bigint, text, text, bigint) to eva_service;
