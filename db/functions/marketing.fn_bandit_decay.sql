-- The weekly decay (Monday 03:00 UTC; spec §17.5): every arm's evidence
-- shrinks by decay_factor (0.97) towards the prior it started from,
--   α ← prior_α + 0.97 × (α − prior_α),  β ← prior_β + 0.97 × (β − prior_β),
-- so a stale winner's lead fades (memory of roughly six months). Once per
-- week (bandit_decay_runs): a retried job changes nothing.
create or replace function marketing.fn_bandit_decay(p_week date default null)
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_week date := pg_catalog.date_trunc('week', coalesce(p_week, pg_catalog.timezone('UTC', pg_catalog.now())::date))::date;
  v_factor numeric := (select p.decay_factor from marketing.bandit_parameters p where p.id);
  v_n int;
begin
  insert into marketing.bandit_decay_runs (week_start, decay_factor, arms) values (v_week, v_factor, 0)
  on conflict (week_start) do nothing;
  if not found then
    return 0;
  end if;
  update marketing.bandit_arms a set
    alpha = a.prior_alpha + v_factor * (a.alpha - a.prior_alpha),
    beta_param = a.prior_beta + v_factor * (a.beta_param - a.prior_beta),
    updated_at = pg_catalog.now()
  where a.alpha <> a.prior_alpha or a.beta_param <> a.prior_beta;
  get diagnostics v_n = row_count;
  update marketing.bandit_decay_runs r set arms = v_n where r.week_start = v_week;
  return v_n;
end;
$$;
comment on function marketing.fn_bandit_decay(date) is
  'Applies the weekly decay once for the week of p_week (default this week): α ← prior_α + decay_factor × (α − prior_α), the same for β, on every arm. Returns the arms changed (0 when the week was already decayed).';
grant execute on function marketing.fn_bandit_decay(date) to eva_service;
