-- Raw marketing events: the Chairman, services and viewers read them; they are
-- written only by marketing.fn_ingest_events (security definer) and never
-- changed or removed (partitions past retention are archived, then dropped).
alter table marketing.marketing_events enable row level security;

create policy "the Chairman, services and viewers read marketing events" on marketing.marketing_events
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.marketing_events to eva_chairman, eva_service, eva_viewer;
