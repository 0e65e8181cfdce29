-- Alerts: everyone signed in reads; services raise and resolve them; the
-- Chairman acknowledges and resolves them.
alter table eva.eva_alerts enable row level security;

create policy "the Chairman, services and viewers read eva alerts" on eva.eva_alerts
  for select to eva_chairman, eva_service, eva_viewer using (true);
create policy "services add eva alerts" on eva.eva_alerts
  for insert to eva_service
  with check (true);
create policy "services change eva alerts" on eva.eva_alerts
  for update to eva_service
  using (true)
  with check (true);
create policy "the Chairman changes eva alerts" on eva.eva_alerts
  for update to eva_chairman
  using (true)
  with check (true);

grant select on eva.eva_alerts to eva_chairman, eva_service, eva_viewer;
grant insert (venture_id, severity, alert_type, message, details) on eva.eva_alerts to eva_service;
grant update (status, resolved_at) on eva.eva_alerts to eva_service;
grant update (status, acknowledged_at, resolved_at) on eva.eva_alerts to eva_chairman;
