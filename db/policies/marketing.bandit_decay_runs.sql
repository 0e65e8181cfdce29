-- bandit decay runs: everyone signed in reads them; only the learning loop's functions
-- (security definer, marketing.fn_bandit_*) write them.
alter table marketing.bandit_decay_runs enable row level security;

create policy "the Chairman, services and viewers read bandit decay runs" on marketing.bandit_decay_runs
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.bandit_decay_runs to eva_chairman, eva_service, eva_viewer;
