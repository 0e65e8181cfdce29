-- The cluster of a venture for cross-venture priors (spec §17.5):
-- vertical_category + archetype ("fintech-accounting/saas"); a venture
-- without a vertical is in its archetype's "unclassified" cluster.
create or replace function eva_private.fn_bandit_cluster_key(p_venture_id uuid)
returns text
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.lower(coalesce(nullif(pg_catalog.btrim(v.vertical_category), ''), 'unclassified')) || '/' || v.archetype::text
  from eva.ventures v where v.id = p_venture_id;
$$;
comment on function eva_private.fn_bandit_cluster_key(uuid) is
  'A venture''s cluster: lower(vertical_category, or "unclassified") / archetype.';
grant execute on function eva_private.fn_bandit_cluster_key(uuid) to eva_service;
