-- Archived partitions: everyone signed in reads where old events went; rows
-- are written only by eva_private.fn_archive_partition.
alter table eva.partition_archives enable row level security;

create policy "the Chairman, services and viewers read partition archives" on eva.partition_archives
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.partition_archives to eva_chairman, eva_service, eva_viewer;
