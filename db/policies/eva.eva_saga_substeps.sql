-- Saga sub-steps: everyone signed in reads. Nobody writes a row directly: the saga
-- engine's functions (db/functions/eva_private.fn_saga_*, fn_infra_resource_settle,
-- fn_venture_archive_record, fn_record_retrospective) own them.
alter table eva.eva_saga_substeps enable row level security;

create policy "the Chairman, services and viewers read saga sub-steps" on eva.eva_saga_substeps
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.eva_saga_substeps to eva_chairman, eva_service, eva_viewer;
