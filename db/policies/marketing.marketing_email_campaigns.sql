-- Email campaigns: the Chairman, services and viewers read them; they are
-- written through the marketing.fn_email_* functions.
alter table marketing.marketing_email_campaigns enable row level security;

create policy "the Chairman, services and viewers read marketing email_campaigns" on marketing.marketing_email_campaigns
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.marketing_email_campaigns to eva_chairman, eva_service, eva_viewer;
