-- Stage 0 reference data (venture_blueprints): read-only for every signed-in role.
alter table eva.venture_blueprints enable row level security;

create policy "the Chairman, services and viewers read venture blueprints" on eva.venture_blueprints
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.venture_blueprints to eva_chairman, eva_service, eva_viewer;
