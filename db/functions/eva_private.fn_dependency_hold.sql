-- Why a venture's stage work may not be dispatched now (spec §5, Decision
-- #32), in words naming each provider; null when nothing holds it. A hard
-- dependency holds while it is pending and its provider is short of the
-- required stage, and stays holding once broken (the provider ended before
-- getting there) until the Chairman removes it. Soft ones never hold.
create or replace function eva_private.fn_dependency_hold(p_venture_id uuid)
returns text
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.string_agg(
    case when d.status = 'broken'
      then pg_catalog.format('hard dependency on "%s" is broken: it is %s at stage %s and will not reach stage %s (go on without it: npx eva ventures undepend "%s" --on "%s")',
        p.name, p.status, p.current_lifecycle_stage, d.required_stage, dv.name, p.name)
      else pg_catalog.format('waiting for "%s" to reach stage %s (hard dependency; it is at stage %s)',
        p.name, d.required_stage, p.current_lifecycle_stage)
    end, '; ' order by p.name, d.required_stage)
  from eva.venture_dependencies d
  join eva.ventures p on p.id = d.provider_venture_id
  join eva.ventures dv on dv.id = d.dependent_venture_id
  where d.dependent_venture_id = p_venture_id and d.dependency_type = 'hard'
    and (d.status = 'broken' or (d.status = 'pending' and p.current_lifecycle_stage < d.required_stage));
$$;
comment on function eva_private.fn_dependency_hold(uuid) is
  'Why the venture''s stage work is held by its hard dependencies (each provider named), or null when none holds it.';
