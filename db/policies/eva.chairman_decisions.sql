-- Chairman decisions: the Chairman and services read them (the DFE checks what
-- is pending); services open pending ones. Nobody updates a row directly: the
-- Chairman decides through eva.fn_decide (security definer), which refuses stale
-- context and applies the decision's effect; re-runs supersede through
-- eva.fn_rerun_stage. Viewers and anonymous see none.
alter table eva.chairman_decisions enable row level security;

create policy "the Chairman and services read chairman decisions" on eva.chairman_decisions
  for select to eva_chairman, eva_service using (true);
create policy "services add chairman decisions" on eva.chairman_decisions
  for insert to eva_service
  with check (status = 'pending' and decision is null and decided_at is null and decided_by is null);

grant select on eva.chairman_decisions to eva_chairman, eva_service;
grant insert (venture_id, lifecycle_stage, decision_type, recommended_action, urgency, blocking, context, artifact_type, artifact_version) on eva.chairman_decisions to eva_service;
