-- Discovery runs: the Chairman and services read them; services (Stage 0's discovery_mode path) add them.
alter table eva.discovery_runs enable row level security;

create policy "the Chairman and services read discovery runs" on eva.discovery_runs
  for select to eva_chairman, eva_service using (true);
create policy "services add discovery runs" on eva.discovery_runs
  for insert to eva_service with check (true);

grant select on eva.discovery_runs to eva_chairman, eva_service;
grant insert (id, strategy, candidates_requested, nursery_id, epistemic_classification, provenance) on eva.discovery_runs to eva_service;
