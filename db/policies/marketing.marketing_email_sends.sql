-- Email sends name people by their address: the Chairman and services
-- read them, viewers do not; written through the marketing.fn_email_*
-- functions and marketing.fn_ingest_events (suppressions).
alter table marketing.marketing_email_sends enable row level security;

create policy "the Chairman and services read marketing email_sends" on marketing.marketing_email_sends
  for select to eva_chairman, eva_service using (true);

grant select on marketing.marketing_email_sends to eva_chairman, eva_service;
