-- Cross-venture intelligence (weekly, Monday 02:00 UTC, and when Stage 11
-- seeds a venture's channels; spec §17.5). Ventures cluster by
-- vertical_category + archetype (eva_private.fn_bandit_cluster_key). A
-- bandit entering its cluster (channel or send_time scope, never
-- transferred into before) inherits, for each of its arms that has no
-- observation yet, the cluster's aggregate for the same arm value and
-- business-model context:
--   α_cluster = mean over the cluster's other ventures' arms of (α − prior_α + 1)
--               (each source arm's own evidence on the uniform prior: inherited priors are not counted twice)
--   α_new = 1 + prior_strength × α_cluster,  β_new = 1 + prior_strength × β_cluster  (prior_strength 0.3)
-- α_new, β_new become the arm's posterior and its prior (decay returns to
-- it); local data then dilutes it. One intelligence_transfer_map row per
-- source venture records the priors copied and the source arms.
create or replace function marketing.fn_bandit_transfer(p_venture_id uuid default null)
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_strength numeric := (select p.prior_strength from marketing.bandit_parameters p where p.id);
  v_b record;
  v_priors jsonb;
  v_sources jsonb;
  v_arms int;
  v_n int := 0;
begin
  for v_b in
    select b.id, b.venture_id, b.scope, b.scope_key, eva_private.fn_bandit_cluster_key(b.venture_id) as cluster_key,
      eva_private.fn_bandit_context_key(b.venture_id) as context_key
    from marketing.bandit_state b
    where b.scope in ('channel', 'send_time') and b.status = 'active'
      and (p_venture_id is null or b.venture_id = p_venture_id)
      and not exists (select 1 from marketing.intelligence_transfer_map m where m.target_bandit_id = b.id)
      and exists (select 1 from marketing.bandit_arms a where a.bandit_id = b.id and a.observations = 0)
    order by b.id
  loop
    with targets as (
      select a.id, a.arm_value from marketing.bandit_arms a where a.bandit_id = v_b.id and a.observations = 0
    ), sources as (
      select t.id as target_arm, t.arm_value, s.id as source_arm, s.venture_id as source_venture,
        s.alpha - s.prior_alpha + 1 as alpha_own, s.beta_param - s.prior_beta + 1 as beta_own
      from targets t
      join marketing.bandit_arms s on pg_catalog.lower(s.arm_value) = pg_catalog.lower(t.arm_value)
      join marketing.bandit_state sb on sb.id = s.bandit_id
      where sb.scope = v_b.scope and sb.scope_key = v_b.scope_key and s.venture_id <> v_b.venture_id
        and s.observations > 0 and s.context_key = v_b.context_key
        and eva_private.fn_bandit_cluster_key(s.venture_id) = v_b.cluster_key
    ), cluster as (
      select s.target_arm, s.arm_value, pg_catalog.avg(s.alpha_own) as alpha_cluster, pg_catalog.avg(s.beta_own) as beta_cluster,
        pg_catalog.jsonb_agg(s.source_arm order by s.source_arm) as source_arms,
        pg_catalog.array_agg(distinct s.source_venture) as source_ventures
      from sources s group by s.target_arm, s.arm_value
    ), applied as (
      update marketing.bandit_arms a set
        alpha = 1 + v_strength * c.alpha_cluster, beta_param = 1 + v_strength * c.beta_cluster,
        prior_alpha = 1 + v_strength * c.alpha_cluster, prior_beta = 1 + v_strength * c.beta_cluster,
        metadata = a.metadata || pg_catalog.jsonb_build_object('transferred_from', v_b.cluster_key), updated_at = pg_catalog.now()
      from cluster c where a.id = c.target_arm
      returning a.arm_value, a.alpha, a.beta_param, c.alpha_cluster, c.beta_cluster, c.source_arms, c.source_ventures
    ), recorded as (
      select pg_catalog.count(*)::int as n,
        pg_catalog.jsonb_object_agg(x.arm_value, pg_catalog.jsonb_build_object('alpha', x.alpha, 'beta', x.beta_param,
          'alpha_cluster', x.alpha_cluster, 'beta_cluster', x.beta_cluster)) as priors,
        pg_catalog.jsonb_object_agg(x.arm_value, x.source_arms) as sources
      from applied x
    )
    select r.n, r.priors, r.sources into v_arms, v_priors, v_sources from recorded r;
    if coalesce(v_arms, 0) = 0 then
      continue;
    end if;
    insert into marketing.intelligence_transfer_map (source_venture_id, target_venture_id, cluster_key, scope, prior_strength,
      priors, target_bandit_id, context_key, source_arms)
    select distinct s.venture_id, v_b.venture_id, v_b.cluster_key, v_b.scope, v_strength, v_priors, v_b.id, v_b.context_key,
      v_sources
    from marketing.bandit_arms s
    where s.id in (select (pg_catalog.jsonb_array_elements_text(e.value))::uuid from pg_catalog.jsonb_each(v_sources) e)
    on conflict do nothing;
    perform eva_private.fn_log_event('marketing.bandit_priors_transferred', v_b.venture_id, pg_catalog.jsonb_build_object(
      'bandit_id', v_b.id, 'scope', v_b.scope, 'cluster_key', v_b.cluster_key, 'context_key', v_b.context_key,
      'prior_strength', v_strength, 'priors', v_priors));
    v_n := v_n + v_arms;
  end loop;
  return v_n;
end;
$$;
comment on function marketing.fn_bandit_transfer(uuid) is
  'Cross-venture transfer for one venture or all: each channel / send-time bandit entering its cluster (vertical_category + archetype) gets, on its unobserved arms, α = 1 + prior_strength × α_cluster and β = 1 + prior_strength × β_cluster from the same arms (same business-model context) of the cluster''s other ventures, recorded in intelligence_transfer_map. Returns the arms seeded.';
grant execute on function marketing.fn_bandit_transfer(uuid) to eva_service;
