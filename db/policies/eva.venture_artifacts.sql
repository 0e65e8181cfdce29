-- Artifacts: everyone signed in reads; services write new versions (the
-- database numbers them); only the Chairman may change a current version's
-- validation_status (audited as audit.write; a retired version's verdict is
-- history, EV430). Workers judge artifacts through eva.fn_record_stage_result,
-- so services have no update grant.
alter table eva.venture_artifacts enable row level security;

create policy "the Chairman, services and viewers read venture artifacts" on eva.venture_artifacts
  for select to eva_chairman, eva_service, eva_viewer using (true);
create policy "services add venture artifacts" on eva.venture_artifacts
  for insert to eva_service
  with check (true);
create policy "the Chairman changes venture artifacts" on eva.venture_artifacts
  for update to eva_chairman
  using (true)
  with check (true);

grant select on eva.venture_artifacts to eva_chairman, eva_service, eva_viewer;
grant insert (venture_id, lifecycle_stage, artifact_type, content, file_url, quality_score, validation_status, epistemic_classification, epistemic_evidence, provenance, stage_work_id) on eva.venture_artifacts to eva_service;
grant update (validation_status) on eva.venture_artifacts to eva_chairman;
