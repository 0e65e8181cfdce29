-- A version's content is a fact of history: only two things may change on it,
-- retiring it (is_current true -> false) and, while it is current, its
-- validation verdict.
create or replace function eva_private.tg_venture_artifact_immutable()
returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  if tg_op in ('DELETE', 'TRUNCATE') then
    raise exception 'artifact versions are immutable: % is refused', pg_catalog.lower(tg_op)
      using errcode = 'EV430', hint = 'Prior versions are kept for history; write a new version instead.';
  end if;
  if (new.id, new.venture_id, new.lifecycle_stage, new.artifact_type, new.version, new.content, new.file_url,
      new.quality_score, new.epistemic_classification, new.epistemic_evidence, new.provenance, new.stage_work_id,
      new.created_by, new.created_at)
     is distinct from
     (old.id, old.venture_id, old.lifecycle_stage, old.artifact_type, old.version, old.content, old.file_url,
      old.quality_score, old.epistemic_classification, old.epistemic_evidence, old.provenance, old.stage_work_id,
      old.created_by, old.created_at) then
    raise exception 'artifact % version % of venture % is immutable', old.artifact_type, old.version, old.venture_id
      using errcode = 'EV430', hint = 'Write a new version instead: insert a row and the database versions it.';
  end if;
  if new.validation_status is distinct from old.validation_status and not old.is_current then
    raise exception 'artifact % version % of venture % is retired: its validation verdict is history',
      old.artifact_type, old.version, old.venture_id
      using errcode = 'EV430', hint = 'Judge the current version instead.';
  end if;
  if new.is_current and not old.is_current then
    raise exception 'a retired artifact version cannot become current again'
      using errcode = 'EV430', hint = 'Write a new version with the content you want current.';
  end if;
  return new;
end;
$$;
comment on function eva_private.tg_venture_artifact_immutable() is 'Trigger: refuses changes to artifact versions except retiring them and setting validation_status.';

create or replace trigger _010_immutable before update or delete on eva.venture_artifacts
  for each row execute function eva_private.tg_venture_artifact_immutable();
create or replace trigger _011_refuse_truncate before truncate on eva.venture_artifacts
  for each statement execute function eva_private.tg_venture_artifact_immutable();
