-- Venture retrospectives: everyone signed in reads. Nobody writes a row directly: the saga
-- engine's functions (db/functions/eva_private.fn_saga_*, fn_infra_resource_settle,
-- fn_venture_archive_record, fn_record_retrospective) own them.
alter table eva.venture_retrospectives enable row level security;

create policy "the Chairman, services and viewers read venture retrospectives" on eva.venture_retrospectives
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.venture_retrospectives to eva_chairman, eva_service, eva_viewer;
