-- Email domains: the Chairman, services and viewers read them; they are
-- written through the marketing.fn_email_* functions.
alter table marketing.marketing_email_domains enable row level security;

create policy "the Chairman, services and viewers read marketing email_domains" on marketing.marketing_email_domains
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.marketing_email_domains to eva_chairman, eva_service, eva_viewer;
