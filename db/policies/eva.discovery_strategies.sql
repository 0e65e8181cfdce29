-- Stage 0 reference data (discovery_strategies): read-only for every signed-in role.
alter table eva.discovery_strategies enable row level security;

create policy "the Chairman, services and viewers read discovery strategies" on eva.discovery_strategies
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.discovery_strategies to eva_chairman, eva_service, eva_viewer;
