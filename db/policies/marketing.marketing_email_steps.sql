-- Email steps: the Chairman, services and viewers read them; they are
-- written through the marketing.fn_email_* functions.
alter table marketing.marketing_email_steps enable row level security;

create policy "the Chairman, services and viewers read marketing email_steps" on marketing.marketing_email_steps
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.marketing_email_steps to eva_chairman, eva_service, eva_viewer;
