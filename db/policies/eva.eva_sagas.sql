-- Sagas: everyone signed in reads. Nobody writes a row directly: sagas start
-- and move through the functions that own them (the SD bridge,
-- eva.fn_sd_complete, the Chairman's decisions, the stage engine's recording).
alter table eva.eva_sagas enable row level security;

create policy "the Chairman, services and viewers read eva sagas" on eva.eva_sagas
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.eva_sagas to eva_chairman, eva_service, eva_viewer;
