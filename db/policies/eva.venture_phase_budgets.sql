-- Phase budgets: everyone signed in reads; the Chairman allocates them.
alter table eva.venture_phase_budgets enable row level security;

create policy "the Chairman, services and viewers read venture phase budgets" on eva.venture_phase_budgets
  for select to eva_chairman, eva_service, eva_viewer using (true);
create policy "the Chairman adds venture phase budgets" on eva.venture_phase_budgets
  for insert to eva_chairman
  with check (true);
create policy "the Chairman changes venture phase budgets" on eva.venture_phase_budgets
  for update to eva_chairman
  using (true)
  with check (true);

grant select on eva.venture_phase_budgets to eva_chairman, eva_service, eva_viewer;
grant insert (venture_id, phase_number, budget_tokens) on eva.venture_phase_budgets to eva_chairman;
grant update (budget_tokens) on eva.venture_phase_budgets to eva_chairman;
