-- Retention (issue #10): the partitions of EVA's time-partitioned tables and
-- when each expires, through eva.fn_partition_status.
create or replace view eva.orchestration_partitions with (security_invoker = true) as
select p.table_name, p.partition_name, p.is_default, p.range_from, p.range_to, p.approx_rows, p.bytes, p.expires_at
from eva.fn_partition_status() p;
comment on view eva.orchestration_partitions is
  'Partitions of the time-partitioned tables (the event log, ...): range, approximate rows, bytes, and when retention archives and drops it.';
grant select on eva.orchestration_partitions to eva_chairman, eva_service, eva_viewer;
