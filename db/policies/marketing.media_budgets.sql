-- Media budgets per venture and kind: read by all EVA roles; set by the Chairman through marketing.fn_set_media_budget.
alter table marketing.media_budgets enable row level security;

create policy "the Chairman, services and viewers read media budgets" on marketing.media_budgets
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.media_budgets to eva_chairman, eva_service, eva_viewer;
