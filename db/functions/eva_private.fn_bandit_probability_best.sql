-- The probability that each selectable arm of a bandit is the best, by Monte
-- Carlo: probability_draws joint draws from every arm's posterior, each won
-- by its highest draw (GrowthBook's and Amplitude's weights). What the
-- Champion-Challenger evaluation and the channel allocation decide on.
create or replace function eva_private.fn_bandit_probability_best(p_bandit_id uuid, p_draws int default null)
returns table (arm_id uuid, probability_best double precision)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_draws int := coalesce(p_draws, (select p.probability_draws from marketing.bandit_parameters p where p.id));
begin
  return query
  with arms as (
    select a.id, a.alpha::double precision as alpha, a.beta_param::double precision as beta
    from marketing.bandit_arms a where a.bandit_id = p_bandit_id and a.status <> 'retired'
  ), draws as (
    select g.i, a.id, eva_private.fn_bandit_beta_sample(a.alpha, a.beta) as sample
    from arms a cross join pg_catalog.generate_series(1, v_draws) g (i)
  ), winners as (
    select distinct on (d.i) d.i, d.id from draws d order by d.i, d.sample desc, d.id
  )
  select a.id, (select pg_catalog.count(*) from winners w where w.id = a.id)::double precision / v_draws
  from arms a;
end;
$$;
comment on function eva_private.fn_bandit_probability_best(uuid, int) is
  'P(arm is best) for each selectable arm of the bandit, from p_draws (default bandit_parameters.probability_draws) joint posterior draws.';
grant execute on function eva_private.fn_bandit_probability_best(uuid, int) to eva_service;
