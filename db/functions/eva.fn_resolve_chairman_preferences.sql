-- The DFE's thresholds: a venture's own preference wins over the global one
-- (spec §6). Runs as the caller, so RLS decides who may read preferences.
create or replace function eva.fn_resolve_chairman_preferences(p_venture_id uuid)
returns table (key text, value text, scope eva.preference_scope)
language plpgsql
stable
set search_path = pg_catalog, pg_temp
-- PL/pgSQL keeps the plan per session (a SQL function is planned on every call; each stage run calls this).
as $$ begin return query
  select distinct on (p.key) p.key, p.value, p.scope
  from eva.chairman_preferences p
  where p.scope = 'global' or (p.scope = 'venture' and p.venture_id = p_venture_id)
  order by p.key, (p.scope = 'venture') desc;
end $$;
comment on function eva.fn_resolve_chairman_preferences(uuid) is
  'Chairman preferences in force for a venture: venture-scoped values first, then global defaults.';
grant execute on function eva.fn_resolve_chairman_preferences(uuid) to eva_service, eva_chairman;
