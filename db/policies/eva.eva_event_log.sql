-- Event log: everyone signed in reads; services append; nobody changes it.
alter table eva.eva_event_log enable row level security;

create policy "the Chairman, services and viewers read eva event log" on eva.eva_event_log
  for select to eva_chairman, eva_service, eva_viewer using (true);
create policy "services add eva event log" on eva.eva_event_log
  for insert to eva_service
  with check (true);

grant select on eva.eva_event_log to eva_chairman, eva_service, eva_viewer;
grant insert (event_type, venture_id, payload) on eva.eva_event_log to eva_service;
