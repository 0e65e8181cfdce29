-- Event log: the Chairman and services read it all; viewers read it without
-- the Chairman's decisions (chairman.* events carry decisions and notes, which
-- are Chairman-only data) and without the audit trail (audit.write events carry
-- the before and after of rows viewers cannot read, preferences among them);
-- services append (not chairman.* or audit.* events); nobody changes it.
alter table eva.eva_event_log enable row level security;

create policy "the Chairman and services read eva event log" on eva.eva_event_log
  for select to eva_chairman, eva_service using (true);
create policy "viewers read eva event log without the Chairman's decisions or the audit trail" on eva.eva_event_log
  for select to eva_viewer using (event_type not like 'chairman.%' and event_type not like 'audit.%');
-- chairman.* events are the decisions' own (eva_private.tg_chairman_decisions_events):
-- a service cannot log an approval that no decision made.
create policy "services add eva event log" on eva.eva_event_log
  for insert to eva_service
  with check (event_type not like 'chairman.%' and event_type not like 'audit.%');

grant select on eva.eva_event_log to eva_chairman, eva_service, eva_viewer;
grant insert (event_type, venture_id, payload) on eva.eva_event_log to eva_service;
