-- Marketing content: the Chairman, services and viewers read it. Nobody
-- writes a row directly: content is requested through
-- marketing.fn_request_content_generation and moves only through
-- marketing.fn_content_transition (its guard trigger refuses any other
-- change of state, from every role).
alter table marketing.marketing_content enable row level security;

create policy "the Chairman, services and viewers read marketing content" on marketing.marketing_content
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.marketing_content to eva_chairman, eva_service, eva_viewer;
