-- Ideation budgets: everyone signed in reads; the Chairman allocates them;
-- consumption is written only by eva.fn_charge_ideation_tokens.
alter table eva.portfolio_ideation_budgets enable row level security;

create policy "the Chairman, services and viewers read portfolio ideation budgets" on eva.portfolio_ideation_budgets
  for select to eva_chairman, eva_service, eva_viewer using (true);
create policy "the Chairman adds portfolio ideation budgets" on eva.portfolio_ideation_budgets
  for insert to eva_chairman
  with check (true);
create policy "the Chairman changes portfolio ideation budgets" on eva.portfolio_ideation_budgets
  for update to eva_chairman
  using (true)
  with check (true);

grant select on eva.portfolio_ideation_budgets to eva_chairman, eva_service, eva_viewer;
grant insert (portfolio_id, budget_tokens) on eva.portfolio_ideation_budgets to eva_chairman;
grant update (budget_tokens) on eva.portfolio_ideation_budgets to eva_chairman;
