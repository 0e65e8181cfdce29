-- Champion-Challenger (daily, 06:00 UTC; spec §17.5): per active bandit with
-- two or more selectable arms, a challenger becomes champion when its
-- probability of being best reaches promote_probability (0.95); an
-- underperformer (below retire_probability, 0.05) is retired and never
-- selected again. Neither happens to an arm before it has min_observations
-- (100) exposures, and no challenger is promoted over a champion that has
-- not had them either: no premature convergence. Each change is an event.
create or replace function marketing.fn_bandit_promote(p_bandit_id uuid default null)
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_p marketing.bandit_parameters;
  v_b marketing.bandit_state;
  v_best record;
  v_champion marketing.bandit_arms;
  v_changes int := 0;
  v_r record;
begin
  select * into v_p from marketing.bandit_parameters where id;
  for v_b in
    select * from marketing.bandit_state b
    where b.status = 'active' and (p_bandit_id is null or b.id = p_bandit_id)
      and (select pg_catalog.count(*) from marketing.bandit_arms a where a.bandit_id = b.id and a.status <> 'retired') >= 2
      -- Nothing can change before some arm has its minimum: no draws spent on such bandits.
      and exists (select 1 from marketing.bandit_arms a
                  where a.bandit_id = b.id and a.status = 'challenger' and a.observations >= v_p.min_observations)
    order by b.id
  loop
    create temporary table if not exists pg_temp.bandit_pbest (arm_id uuid primary key, probability_best double precision)
      on commit drop;
    truncate pg_temp.bandit_pbest;
    insert into pg_temp.bandit_pbest select * from eva_private.fn_bandit_probability_best(v_b.id);

    select * into v_champion from marketing.bandit_arms a where a.bandit_id = v_b.id and a.status = 'champion' limit 1;
    select a.id, a.arm_value, a.observations, p.probability_best into v_best
    from marketing.bandit_arms a join pg_temp.bandit_pbest p on p.arm_id = a.id
    where a.status = 'challenger' and a.observations >= v_p.min_observations
      and p.probability_best >= v_p.promote_probability
    order by p.probability_best desc, a.id limit 1;
    if v_best.id is not null and (v_champion.id is null or v_champion.observations >= v_p.min_observations) then
      update marketing.bandit_arms a set status = 'challenger', status_changed_at = pg_catalog.now()
      where a.bandit_id = v_b.id and a.status = 'champion';
      update marketing.bandit_arms a set status = 'champion', status_changed_at = pg_catalog.now() where a.id = v_best.id;
      perform eva_private.fn_log_event('marketing.bandit_arm_promoted', v_b.venture_id, pg_catalog.jsonb_build_object(
        'bandit_id', v_b.id, 'scope', v_b.scope, 'scope_key', v_b.scope_key, 'arm_id', v_best.id, 'arm_value', v_best.arm_value,
        'probability_best', v_best.probability_best, 'observations', v_best.observations, 'previous_champion', v_champion.id));
      v_changes := v_changes + 1;
    end if;

    for v_r in
      update marketing.bandit_arms a set status = 'retired', status_changed_at = pg_catalog.now()
      from pg_temp.bandit_pbest p
      where p.arm_id = a.id and a.bandit_id = v_b.id and a.status = 'challenger'
        and a.observations >= v_p.min_observations and p.probability_best < v_p.retire_probability
      returning a.id, a.arm_value, a.observations, p.probability_best
    loop
      perform eva_private.fn_log_event('marketing.bandit_arm_retired', v_b.venture_id, pg_catalog.jsonb_build_object(
        'bandit_id', v_b.id, 'scope', v_b.scope, 'scope_key', v_b.scope_key, 'arm_id', v_r.id, 'arm_value', v_r.arm_value,
        'probability_best', v_r.probability_best, 'observations', v_r.observations));
      v_changes := v_changes + 1;
    end loop;
  end loop;
  return v_changes;
end;
$$;
comment on function marketing.fn_bandit_promote(uuid) is
  'Champion-Challenger for one bandit or all: promotes a challenger with P(best) >= promote_probability, retires challengers with P(best) < retire_probability, never an arm (nor over a champion) with fewer than min_observations exposures. Returns the status changes (each logged as marketing.bandit_arm_promoted / _retired).';
grant execute on function marketing.fn_bandit_promote(uuid) to eva_service;
