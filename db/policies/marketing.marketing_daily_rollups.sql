-- Daily rollups: everyone signed in reads; only marketing.fn_materialize_rollups
-- and marketing.fn_rebuild_rollups (security definer) write them.
alter table marketing.marketing_daily_rollups enable row level security;

create policy "the Chairman, services and viewers read marketing daily rollups" on marketing.marketing_daily_rollups
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.marketing_daily_rollups to eva_chairman, eva_service, eva_viewer;
