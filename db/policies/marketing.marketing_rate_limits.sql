-- Per-platform rate limits: read by all EVA roles; set by marketing.fn_set_rate_limit,
-- counted by the dispatch functions.
alter table marketing.marketing_rate_limits enable row level security;

create policy "the Chairman, services and viewers read rate limits" on marketing.marketing_rate_limits
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.marketing_rate_limits to eva_chairman, eva_service, eva_viewer;
