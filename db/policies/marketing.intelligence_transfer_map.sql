-- Cross-venture transfers of priors: the Chairman, services and viewers read
-- them; services (the weekly transfer) record them.
alter table marketing.intelligence_transfer_map enable row level security;

create policy "the Chairman, services and viewers read intelligence transfers" on marketing.intelligence_transfer_map
  for select to eva_chairman, eva_service, eva_viewer using (true);
create policy "services record intelligence transfers" on marketing.intelligence_transfer_map
  for insert to eva_service with check (true);

grant select on marketing.intelligence_transfer_map to eva_chairman, eva_service, eva_viewer;
grant insert (source_venture_id, target_venture_id, cluster_key, scope, prior_strength, priors)
  on marketing.intelligence_transfer_map to eva_service;
