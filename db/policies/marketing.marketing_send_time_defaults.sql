-- The per-platform default send times: read by all EVA roles.
alter table marketing.marketing_send_time_defaults enable row level security;

create policy "the Chairman, services and viewers read default send times" on marketing.marketing_send_time_defaults
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.marketing_send_time_defaults to eva_chairman, eva_service, eva_viewer;
