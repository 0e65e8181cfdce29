-- bandit arm snapshots: everyone signed in reads them; only the learning loop's functions
-- (security definer, marketing.fn_bandit_*) write them.
alter table marketing.bandit_arm_snapshots enable row level security;

create policy "the Chairman, services and viewers read bandit arm snapshots" on marketing.bandit_arm_snapshots
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.bandit_arm_snapshots to eva_chairman, eva_service, eva_viewer;
