-- Dependencies: everyone signed in reads; the Chairman declares them;
-- services record whether they are met.
alter table eva.venture_dependencies enable row level security;

create policy "the Chairman, services and viewers read venture dependencies" on eva.venture_dependencies
  for select to eva_chairman, eva_service, eva_viewer using (true);
create policy "the Chairman adds venture dependencies" on eva.venture_dependencies
  for insert to eva_chairman
  with check (true);
create policy "the Chairman changes venture dependencies" on eva.venture_dependencies
  for update to eva_chairman
  using (true)
  with check (true);
create policy "the Chairman removes venture dependencies" on eva.venture_dependencies
  for delete to eva_chairman
  using (true);
create policy "services change venture dependencies" on eva.venture_dependencies
  for update to eva_service
  using (true)
  with check (true);

grant select on eva.venture_dependencies to eva_chairman, eva_service, eva_viewer;
grant insert (dependent_venture_id, provider_venture_id, required_stage, dependency_type) on eva.venture_dependencies to eva_chairman;
grant update (dependency_type, status, resolved_at) on eva.venture_dependencies to eva_chairman;
grant delete on eva.venture_dependencies to eva_chairman;
grant update (status, resolved_at) on eva.venture_dependencies to eva_service;
