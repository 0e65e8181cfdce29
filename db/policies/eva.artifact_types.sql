-- Reference data: read-only for every signed-in role.
alter table eva.artifact_types enable row level security;

create policy "the Chairman, services and viewers read artifact types" on eva.artifact_types
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.artifact_types to eva_chairman, eva_service, eva_viewer;
