-- Budgets per venture × platform: read by all EVA roles; set by the Chairman through
-- marketing.fn_set_channel_budget.
alter table marketing.marketing_channel_budgets enable row level security;

create policy "the Chairman, services and viewers read channel budgets" on marketing.marketing_channel_budgets
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.marketing_channel_budgets to eva_chairman, eva_service, eva_viewer;
