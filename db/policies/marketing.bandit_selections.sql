-- bandit selections: everyone signed in reads them; only the learning loop's functions
-- (security definer, marketing.fn_bandit_*) write them.
alter table marketing.bandit_selections enable row level security;

create policy "the Chairman, services and viewers read bandit selections" on marketing.bandit_selections
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.bandit_selections to eva_chairman, eva_service, eva_viewer;
