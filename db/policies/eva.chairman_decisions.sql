-- Chairman decisions: the Chairman reads and decides pending ones (the guard
-- trigger eva_private.tg_chairman_decisions_guard refuses changing any other);
-- services read them (the DFE checks what is pending) and open pending ones, never decide.
-- Viewers and anonymous see none.
alter table eva.chairman_decisions enable row level security;

create policy "the Chairman and services read chairman decisions" on eva.chairman_decisions
  for select to eva_chairman, eva_service using (true);
create policy "services add chairman decisions" on eva.chairman_decisions
  for insert to eva_service
  with check (status = 'pending' and decision is null and decided_at is null and decided_by is null);
-- Any row is visible to the Chairman's update so that the guard trigger, not a
-- silent "0 rows", answers a replay: a decided decision raises EV409.
create policy "the Chairman changes chairman decisions" on eva.chairman_decisions
  for update to eva_chairman
  using (true)
  with check (true);

grant select on eva.chairman_decisions to eva_chairman, eva_service;
grant insert (venture_id, lifecycle_stage, decision_type, recommended_action, urgency, blocking, context, artifact_type, artifact_version) on eva.chairman_decisions to eva_service;
grant update (status, decision, notes, decided_by, decided_at, venture_id) on eva.chairman_decisions to eva_chairman;
