-- Announces each new artifact version on the event bus.
create or replace function eva_private.tg_venture_artifact_created()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform eva_private.fn_log_event('artifact.created', new.venture_id, pg_catalog.jsonb_build_object(
    'artifact_id', new.id, 'stage', new.lifecycle_stage, 'artifact_type', new.artifact_type, 'version', new.version,
    'epistemic_classification', new.epistemic_classification));
  return null;
end;
$$;
comment on function eva_private.tg_venture_artifact_created() is 'Trigger: logs artifact.created for every new artifact version.';

create or replace trigger _800_created after insert on eva.venture_artifacts
  for each row execute function eva_private.tg_venture_artifact_created();
