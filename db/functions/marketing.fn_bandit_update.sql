-- The posterior update of one arm (spec §17.5: α += reward, β += 1 − reward
-- per pull): p_trials pulls whose rewards sum to p_successes. The one place
-- an arm's α, β and observations grow; observe and the benchmark use it.
create or replace function marketing.fn_bandit_update(p_arm_id uuid, p_successes numeric, p_trials numeric)
returns marketing.bandit_arms
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_arm marketing.bandit_arms;
begin
  if p_trials is null or p_trials < 0 or p_successes is null or p_successes < 0 or p_successes > p_trials then
    raise exception 'an update needs 0 <= successes <= trials (got % of %)', p_successes, p_trials using errcode = 'EV400';
  end if;
  update marketing.bandit_arms a set alpha = a.alpha + p_successes, beta_param = a.beta_param + (p_trials - p_successes),
    observations = a.observations + pg_catalog.ceil(p_trials)::int, updated_at = pg_catalog.now()
  where a.id = p_arm_id
  returning * into v_arm;
  if v_arm.id is null then
    raise exception 'no bandit arm %', p_arm_id using errcode = 'EV404';
  end if;
  return v_arm;
end;
$$;
comment on function marketing.fn_bandit_update(uuid, numeric, numeric) is
  'Adds p_trials pulls with p_successes total reward to an arm: α += successes, β += trials − successes, observations += trials. EV400 bad counts, EV404 unknown arm.';
grant execute on function marketing.fn_bandit_update(uuid, numeric, numeric) to eva_service;
