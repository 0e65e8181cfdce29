-- Venture infrastructure resources: everyone signed in reads. Nobody writes a row directly: the saga
-- engine's functions (db/functions/eva_private.fn_saga_*, fn_infra_resource_settle,
-- fn_venture_archive_record, fn_record_retrospective) own them.
alter table eva.venture_infra_resources enable row level security;

create policy "the Chairman, services and viewers read venture infrastructure resources" on eva.venture_infra_resources
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.venture_infra_resources to eva_chairman, eva_service, eva_viewer;

-- The Chairman and services keep the inventory: add resources and correct
-- their provider; their status moves only through the teardown.
create policy "the Chairman and services add venture infrastructure resources" on eva.venture_infra_resources
  for insert to eva_chairman, eva_service with check (status = 'active');
create policy "the Chairman and services change venture infrastructure resources" on eva.venture_infra_resources
  for update to eva_chairman, eva_service using (true) with check (true);
grant insert (venture_id, kind, name, provider, provider_url, external_id, depends_on) on eva.venture_infra_resources
  to eva_chairman, eva_service;
grant update (provider, provider_url, depends_on) on eva.venture_infra_resources to eva_chairman, eva_service;
