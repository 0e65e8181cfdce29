-- Token budgets: everyone signed in reads; the Chairman allocates them.
alter table eva.venture_token_budgets enable row level security;

create policy "the Chairman, services and viewers read venture token budgets" on eva.venture_token_budgets
  for select to eva_chairman, eva_service, eva_viewer using (true);
create policy "the Chairman adds venture token budgets" on eva.venture_token_budgets
  for insert to eva_chairman
  with check (true);
create policy "the Chairman changes venture token budgets" on eva.venture_token_budgets
  for update to eva_chairman
  using (true)
  with check (true);

grant select on eva.venture_token_budgets to eva_chairman, eva_service, eva_viewer;
grant insert (venture_id, budget_tokens) on eva.venture_token_budgets to eva_chairman;
grant update (budget_tokens) on eva.venture_token_budgets to eva_chairman;
