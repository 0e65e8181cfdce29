-- bandit channel allocations: everyone signed in reads them; only the learning loop's functions
-- (security definer, marketing.fn_bandit_*) write them.
alter table marketing.bandit_channel_allocations enable row level security;

create policy "the Chairman, services and viewers read bandit channel allocations" on marketing.bandit_channel_allocations
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.bandit_channel_allocations to eva_chairman, eva_service, eva_viewer;
