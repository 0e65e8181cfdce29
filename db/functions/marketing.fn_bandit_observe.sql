-- Feeds the bandits from the daily rollups (migration 032), exactly once per
-- arm and rollup window: a UTC day is observed by the first run after it has
-- ended (through p_through, yesterday by default) and every count queued for
-- it has been materialized (no rows left in marketing_rollup_deltas). Which
-- rollup rows an arm sees:
--   channel   the venture's rows on the arm's platform (eva_private.fn_bandit_arm_platform);
--   variant   the rows of the variant (arm_value = the variant id);
--   send_time the rows of the variants whose dispatch on the bandit's platform
--             (scope_key) was due in the arm's slot (HH:MI, UTC).
-- Each window adds exposures pulls of reward r (marketing.fn_bandit_reward):
-- α += exposures × r, β += exposures × (1 − r), observations += exposures,
-- the posterior before and after kept in marketing.bandit_observations.
create or replace function marketing.fn_bandit_observe(p_through date default null)
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_through date := coalesce(p_through, (pg_catalog.timezone('UTC', pg_catalog.now()))::date - 1);
  v_w record;
  v_arm marketing.bandit_arms;
  v_r record;
  v_id bigint;
  v_n int := 0;
begin
  for v_w in
    with arms as (
      select a.id, a.bandit_id, a.venture_id, b.scope, b.scope_key, a.arm_value,
        case when b.scope = 'channel' then eva_private.fn_bandit_arm_platform(a.arm_value, a.metadata) end as platform
      from marketing.bandit_arms a join marketing.bandit_state b on b.id = a.bandit_id
    ), rows_seen as (
      select a.id as arm_id, a.bandit_id, a.venture_id, r.rollup_date, r.platform, r.impressions, r.deliveries,
        r.engagements, r.clicks, r.conversions
      from arms a join marketing.marketing_daily_rollups r
        on a.scope = 'channel' and r.venture_id = a.venture_id and r.platform = a.platform
      where r.rollup_date <= v_through
      union all
      select a.id, a.bandit_id, a.venture_id, r.rollup_date, r.platform, r.impressions, r.deliveries,
        r.engagements, r.clicks, r.conversions
      from arms a join marketing.marketing_daily_rollups r
        on a.scope = 'variant' and r.venture_id = a.venture_id and r.variant_id::text = a.arm_value
      where r.rollup_date <= v_through
      union all
      select a.id, a.bandit_id, a.venture_id, r.rollup_date, r.platform, r.impressions, r.deliveries,
        r.engagements, r.clicks, r.conversions
      from arms a join marketing.marketing_daily_rollups r
        on a.scope = 'send_time' and r.venture_id = a.venture_id and r.platform = a.scope_key
      join marketing.marketing_dispatches d on d.variant_id = r.variant_id and d.platform = r.platform
        and pg_catalog.to_char(pg_catalog.timezone('UTC', d.due_at), 'HH24:MI') = a.arm_value
      where r.rollup_date <= v_through
    )
    select s.arm_id, s.bandit_id, s.venture_id, s.rollup_date, pg_catalog.min(s.platform) as platform,
      pg_catalog.sum(greatest(s.impressions, s.deliveries))::bigint as exposures,
      pg_catalog.sum(s.engagements)::bigint as engagements, pg_catalog.sum(s.clicks)::bigint as clicks,
      pg_catalog.sum(s.conversions)::bigint as conversions
    from rows_seen s
    where not exists (select 1 from marketing.bandit_observations o where o.arm_id = s.arm_id and o.window_date = s.rollup_date)
      and not exists (select 1 from marketing.marketing_rollup_deltas d
                      where d.venture_id = s.venture_id and d.rollup_date = s.rollup_date)
    group by s.arm_id, s.bandit_id, s.venture_id, s.rollup_date
    having pg_catalog.sum(greatest(s.impressions, s.deliveries)) > 0
    order by s.rollup_date, s.arm_id
  loop
    select * into v_arm from marketing.bandit_arms a where a.id = v_w.arm_id for update;
    select * into v_r from marketing.fn_bandit_reward(v_w.exposures, v_w.engagements, v_w.clicks, v_w.conversions);
    insert into marketing.bandit_observations (arm_id, bandit_id, venture_id, window_date, platform, exposures, engagements,
      clicks, conversions, engagement, conversion, reward, alpha_before, beta_before, alpha_after, beta_after)
    values (v_w.arm_id, v_w.bandit_id, v_w.venture_id, v_w.rollup_date, v_w.platform, v_w.exposures, v_w.engagements,
      v_w.clicks, v_w.conversions, v_r.engagement, v_r.conversion, v_r.reward, v_arm.alpha, v_arm.beta_param,
      v_arm.alpha + v_w.exposures * v_r.reward, v_arm.beta_param + v_w.exposures * (1 - v_r.reward))
    on conflict (arm_id, window_date) do nothing
    returning id into v_id;
    if v_id is not null then
      perform marketing.fn_bandit_update(v_w.arm_id, v_w.exposures * v_r.reward, v_w.exposures);
      v_n := v_n + 1;
    end if;
  end loop;
  return v_n;
end;
$$;
comment on function marketing.fn_bandit_observe(date) is
  'Observes every closed rollup window (a UTC day through p_through, default yesterday, with no counts still queued) once per arm: channel arms see their platform''s rows, variant arms their variant''s, send-time arms the rows of variants dispatched in their slot; α += exposures × reward, β += exposures × (1 − reward). Returns the observations written.';
grant execute on function marketing.fn_bandit_observe(date) to eva_service;
