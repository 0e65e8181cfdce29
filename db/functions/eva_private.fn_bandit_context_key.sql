-- The business-model type of a venture, the context of its arms (contextual
-- bandits): strategic_context.business_model_type when Stage 0 named one,
-- else its archetype (saas, marketplace, …).
create or replace function eva_private.fn_bandit_context_key(p_venture_id uuid)
returns text
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.left(pg_catalog.regexp_replace(pg_catalog.lower(coalesce(
    nullif(pg_catalog.btrim(v.strategic_context ->> 'business_model_type'), ''), v.archetype::text)), '[^a-z0-9_]+', '_', 'g'), 60)
  from eva.ventures v where v.id = p_venture_id;
$$;
comment on function eva_private.fn_bandit_context_key(uuid) is
  'A venture''s business-model type for contextual bandits: strategic_context.business_model_type, else its archetype; lowercase.';
grant execute on function eva_private.fn_bandit_context_key(uuid) to eva_service;
