-- The content lifecycle's history: read by everyone signed in; written by
-- marketing.fn_content_transition alone; append-only.
alter table marketing.marketing_content_transitions enable row level security;

create policy "the Chairman, services and viewers read content transitions" on marketing.marketing_content_transitions
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.marketing_content_transitions to eva_chairman, eva_service, eva_viewer;
