-- Metric anomalies and the DFE's resolution: the Chairman and services read
-- them; the anomaly trigger and eva.fn_resolve_metric_anomaly write them.
alter table eva.metric_anomalies enable row level security;

create policy "the Chairman and services read metric anomalies" on eva.metric_anomalies
  for select to eva_chairman, eva_service using (true);

grant select on eva.metric_anomalies to eva_chairman, eva_service;
