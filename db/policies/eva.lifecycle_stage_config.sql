-- Reference data: read-only for every signed-in role.
alter table eva.lifecycle_stage_config enable row level security;

create policy "the Chairman, services and viewers read lifecycle stage config" on eva.lifecycle_stage_config
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.lifecycle_stage_config to eva_chairman, eva_service, eva_viewer;
