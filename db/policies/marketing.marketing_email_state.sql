-- Email state name people by their address: the Chairman and services
-- read them, viewers do not; written through the marketing.fn_email_*
-- functions and marketing.fn_ingest_events (suppressions).
alter table marketing.marketing_email_state enable row level security;

create policy "the Chairman and services read marketing email_state" on marketing.marketing_email_state
  for select to eva_chairman, eva_service using (true);

grant select on marketing.marketing_email_state to eva_chairman, eva_service;
