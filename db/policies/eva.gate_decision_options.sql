-- Reference data: read-only for every signed-in role.
alter table eva.gate_decision_options enable row level security;

create policy "the Chairman, services and viewers read gate decision options" on eva.gate_decision_options
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.gate_decision_options to eva_chairman, eva_service, eva_viewer;
