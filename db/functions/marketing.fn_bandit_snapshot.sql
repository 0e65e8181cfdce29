-- The daily snapshot: every arm's posterior, status and observations as of
-- p_date (default today, UTC), once per arm and day (a second run the same
-- day refreshes that day's row, so the last run of the day holds). With
-- the observations and selections, "what did it believe on March 3 and why
-- did it pick X" is a psql query (marketing.fn_bandit_arms_at).
create or replace function marketing.fn_bandit_snapshot(p_date date default null)
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_date date := coalesce(p_date, pg_catalog.timezone('UTC', pg_catalog.now())::date);
  v_n int;
begin
  insert into marketing.bandit_arm_snapshots (snapshot_date, arm_id, bandit_id, venture_id, scope, scope_key, arm_value,
    context_key, status, alpha, beta_param, prior_alpha, prior_beta, observations, last_selected_at)
  select v_date, a.id, a.bandit_id, a.venture_id, b.scope, b.scope_key, a.arm_value, a.context_key, a.status, a.alpha,
    a.beta_param, a.prior_alpha, a.prior_beta, a.observations, a.last_selected_at
  from marketing.bandit_arms a join marketing.bandit_state b on b.id = a.bandit_id
  on conflict (arm_id, snapshot_date) do update set status = excluded.status, alpha = excluded.alpha,
    beta_param = excluded.beta_param, prior_alpha = excluded.prior_alpha, prior_beta = excluded.prior_beta,
    observations = excluded.observations, last_selected_at = excluded.last_selected_at, taken_at = pg_catalog.now();
  get diagnostics v_n = row_count;
  return v_n;
end;
$$;
comment on function marketing.fn_bandit_snapshot(date) is
  'Keeps every arm''s posterior for the day p_date (default today UTC) in marketing.bandit_arm_snapshots, one row per arm and day. Returns the arms snapshotted.';
grant execute on function marketing.fn_bandit_snapshot(date) to eva_service;
