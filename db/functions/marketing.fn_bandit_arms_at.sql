-- A venture's arms as the optimizer saw them: live today (p_at null or
-- today or later), else each arm's latest daily snapshot on or before p_at.
-- Posterior mean α / (α + β) and the exact 95 % credible interval (the
-- 0.025 and 0.975 quantiles of Beta(α, β)). Runs as the caller, under RLS.
create or replace function marketing.fn_bandit_arms_at(p_venture_id uuid, p_scope text default null, p_at date default null)
returns table (
  arm_id uuid,
  bandit_id uuid,
  scope text,
  scope_key text,
  arm_value text,
  context_key text,
  status text,
  alpha numeric,
  beta_param numeric,
  observations int,
  posterior_mean double precision,
  interval_low double precision,
  interval_high double precision,
  last_selected_at timestamptz,
  as_of date
)
language sql
stable
set search_path = pg_catalog, pg_temp
as $$
  with live as (
    select a.id, a.bandit_id, b.scope, b.scope_key, a.arm_value, a.context_key, a.status, a.alpha, a.beta_param,
      a.observations, a.last_selected_at, pg_catalog.timezone('UTC', pg_catalog.now())::date as as_of
    from marketing.bandit_arms a join marketing.bandit_state b on b.id = a.bandit_id
    where a.venture_id = p_venture_id
      and (p_at is null or p_at >= pg_catalog.timezone('UTC', pg_catalog.now())::date)
  ), past as (
    select distinct on (s.arm_id) s.arm_id, s.bandit_id, s.scope, s.scope_key, s.arm_value, s.context_key, s.status, s.alpha,
      s.beta_param, s.observations, s.last_selected_at, s.snapshot_date
    from marketing.bandit_arm_snapshots s
    where s.venture_id = p_venture_id and p_at is not null and p_at < pg_catalog.timezone('UTC', pg_catalog.now())::date
      and s.snapshot_date <= p_at
    order by s.arm_id, s.snapshot_date desc
  ), arms as (
    select * from live union all select * from past
  )
  select x.id, x.bandit_id, x.scope, x.scope_key, x.arm_value, x.context_key, x.status, x.alpha, x.beta_param, x.observations,
    (x.alpha / (x.alpha + x.beta_param))::double precision,
    marketing.fn_beta_quantile(0.025, x.alpha::double precision, x.beta_param::double precision),
    marketing.fn_beta_quantile(0.975, x.alpha::double precision, x.beta_param::double precision),
    x.last_selected_at, x.as_of
  from arms x
  where p_scope is null or x.scope = p_scope
  order by x.scope, x.scope_key, x.alpha / (x.alpha + x.beta_param) desc, x.arm_value;
$$;
comment on function marketing.fn_bandit_arms_at(uuid, text, date) is
  'A venture''s bandit arms (optionally one scope) as of p_at: live when p_at is null or today, else each arm''s latest daily snapshot on or before p_at; with posterior mean and exact 95 % interval (Beta quantiles 0.025, 0.975). Read under the caller''s RLS.';
grant execute on function marketing.fn_bandit_arms_at(uuid, text, date) to eva_chairman, eva_service, eva_viewer;
