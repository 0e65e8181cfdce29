-- Audit trail: readable, written only by eva.fn_advance_venture_stage, never changed.
alter table eva.venture_stage_transitions enable row level security;

create policy "the Chairman, services and viewers read venture stage transitions" on eva.venture_stage_transitions
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.venture_stage_transitions to eva_chairman, eva_service, eva_viewer;
