-- Spec §4, "dependency graph evaluation after any venture stage change", as a
-- reaction (the dependency-reevaluation subscription, on stage.entered and a
-- venture's end): a provider at or past a pending dependency's required stage
-- meets it; a venture that has ended (killed, sunset, exited) breaks the
-- pending dependencies on it and of it (nothing waits any more, and the
-- provider loses the boost they gave it). Each dependency's own trigger logs
-- dependency.met / .broken and releases or re-holds the dependent's work in
-- this transaction. Read from what the database holds now, not from the
-- event, so a second delivery, or the two events of a venture that advanced
-- and then ended arriving in either order, change nothing more: meeting comes
-- first, so a provider that got there before it ended still meets it.
-- Why not in the provider's transaction: nothing is unsafe meanwhile. The
-- dependent's work is held by eva_private.fn_dependency_hold, which compares
-- the provider's stage itself; a dependency the provider has reached holds
-- nothing even while it is still marked pending.
create or replace function eva_private.fn_reevaluate_dependencies(p_venture_id uuid)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_venture eva.ventures;
  v_met int := 0;
  v_broken int := 0;
begin
  -- The venture's row first (as a venture-level change takes it): its stage and status stand still meanwhile.
  select * into v_venture from eva.ventures v where v.id = p_venture_id for no key update;
  if not found then
    return pg_catalog.jsonb_build_object('venture', p_venture_id, 'met', 0, 'broken', 0, 'gone', true);
  end if;
  with met as (
    update eva.venture_dependencies d set status = 'met', resolved_at = pg_catalog.now()
    where d.provider_venture_id = p_venture_id and d.status = 'pending'
      and d.required_stage <= v_venture.current_lifecycle_stage
    returning 1)
  select pg_catalog.count(*)::int into v_met from met;
  if v_venture.status in ('killed', 'sunset', 'exited') then
    with broken as (
      update eva.venture_dependencies d set status = 'broken', resolved_at = pg_catalog.now()
      where (d.provider_venture_id = p_venture_id or d.dependent_venture_id = p_venture_id) and d.status = 'pending'
      returning 1)
    select pg_catalog.count(*)::int into v_broken from broken;
  end if;
  return pg_catalog.jsonb_build_object('venture', p_venture_id, 'stage', v_venture.current_lifecycle_stage,
    'status', v_venture.status, 'met', v_met, 'broken', v_broken);
end;
$$;
comment on function eva_private.fn_reevaluate_dependencies(uuid) is
  'The dependency-reevaluation handler''s write: meets the pending dependencies the venture (as provider) has reached, then, if it has ended, breaks the pending ones on either side. Idempotent. Returns {venture, stage, status, met, broken}.';
grant execute on function eva_private.fn_reevaluate_dependencies(uuid) to eva_service;
