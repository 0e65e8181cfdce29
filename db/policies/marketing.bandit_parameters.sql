-- bandit parameters: everyone signed in reads them; only the learning loop's functions
-- (security definer, marketing.fn_bandit_*) write them.
alter table marketing.bandit_parameters enable row level security;

create policy "the Chairman, services and viewers read bandit parameters" on marketing.bandit_parameters
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.bandit_parameters to eva_chairman, eva_service, eva_viewer;
