-- Immutable versioning (Decision #34): the database assigns the next version
-- and retires the previous current one in the same transaction, so no caller
-- can leave two current versions or a gap.
create or replace function eva_private.tg_venture_artifact_version()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  -- Serialize writers of the same venture/stage/type; different artifacts proceed in parallel.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended(
    new.venture_id::text || ':' || new.lifecycle_stage || ':' || new.artifact_type, 0));

  select coalesce(pg_catalog.max(a.version), 0) + 1 into new.version
  from eva.venture_artifacts a
  where a.venture_id = new.venture_id and a.lifecycle_stage = new.lifecycle_stage and a.artifact_type = new.artifact_type;

  update eva.venture_artifacts a set is_current = false
  where a.venture_id = new.venture_id and a.lifecycle_stage = new.lifecycle_stage
    and a.artifact_type = new.artifact_type and a.is_current;

  new.is_current := true;
  new.created_by := eva_private.fn_caller_role();
  new.created_at := pg_catalog.now();
  return new;
end;
$$;
comment on function eva_private.tg_venture_artifact_version() is 'Trigger: assigns the next artifact version and flips the previous current version.';

create or replace trigger _100_version before insert on eva.venture_artifacts
  for each row execute function eva_private.tg_venture_artifact_version();
