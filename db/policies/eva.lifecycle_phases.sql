-- Reference data: read-only for every signed-in role.
alter table eva.lifecycle_phases enable row level security;

create policy "the Chairman, services and viewers read lifecycle phases" on eva.lifecycle_phases
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.lifecycle_phases to eva_chairman, eva_service, eva_viewer;
