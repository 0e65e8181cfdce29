-- Spec §4, "dependency graph evaluation after any venture stage change": a
-- provider reaching a dependency's required stage meets it (the dependent's
-- held work is then released by the dependency's own trigger); a provider
-- killed, sunset or exited breaks the dependencies still pending on it, and a
-- dependent that ended breaks its own (nothing waits any more, and the
-- provider loses the priority boost they gave it).
create or replace function eva_private.tg_ventures_dependency_progress()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if new.current_lifecycle_stage > old.current_lifecycle_stage then
    update eva.venture_dependencies d set status = 'met', resolved_at = pg_catalog.now()
    where d.provider_venture_id = new.id and d.status = 'pending' and d.required_stage <= new.current_lifecycle_stage;
  end if;
  if new.status in ('killed', 'sunset', 'exited') and old.status not in ('killed', 'sunset', 'exited') then
    update eva.venture_dependencies d set status = 'broken', resolved_at = pg_catalog.now()
    where (d.provider_venture_id = new.id or d.dependent_venture_id = new.id) and d.status = 'pending';
  end if;
  return null;
end;
$$;
comment on function eva_private.tg_ventures_dependency_progress() is
  'Trigger: a provider''s stage change meets the dependencies that waited for it; a venture ending breaks the pending dependencies on it and of it.';

create or replace trigger _750_dependency_progress after update of current_lifecycle_stage, status on eva.ventures
  for each row when (new.current_lifecycle_stage is distinct from old.current_lifecycle_stage or new.status is distinct from old.status)
  execute function eva_private.tg_ventures_dependency_progress();
