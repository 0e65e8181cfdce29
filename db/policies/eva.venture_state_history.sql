-- Audit trail: readable, written only by the ventures audit trigger, never changed.
alter table eva.venture_state_history enable row level security;

create policy "the Chairman, services and viewers read venture state history" on eva.venture_state_history
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.venture_state_history to eva_chairman, eva_service, eva_viewer;
