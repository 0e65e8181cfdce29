-- Reference data: read-only for every signed-in role.
alter table eva.chairman_decision_types enable row level security;

create policy "the Chairman, services and viewers read chairman decision types" on eva.chairman_decision_types
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.chairman_decision_types to eva_chairman, eva_service, eva_viewer;
