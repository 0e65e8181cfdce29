-- Hourly channel allocation (spec §17.5): for each venture whose channel
-- bandit has arms on platforms with an active budget, the month's pool (the
-- sum of those budgets) is shared by the probability each arm is best:
--   share = floor + (1 − n × floor) × P(best)   (floor: allocation_floor, 0.02)
--   allocated_cents = least(share × pool, the platform's own monthly cap)
-- so budget moves toward the channels that sample best, every channel keeps
-- some exploration, and no allocation exceeds a governor's hard cap. One row
-- per venture, platform and hour; the budget governor refuses a post that
-- would take the month's spend past the latest allocation.
create or replace function marketing.fn_bandit_allocate_channels(p_venture_id uuid default null)
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_floor numeric := (select p.allocation_floor from marketing.bandit_parameters p where p.id);
  v_hour timestamptz := pg_catalog.date_trunc('hour', pg_catalog.now());
  v_b record;
  v_count int;
  v_pool bigint;
  v_rows int;
  v_n int := 0;
begin
  for v_b in
    select b.id, b.venture_id from marketing.bandit_state b
    where b.scope = 'channel' and b.status = 'active' and (p_venture_id is null or b.venture_id = p_venture_id)
    order by b.venture_id
  loop
    create temporary table if not exists pg_temp.bandit_allocation (arm_id uuid, platform text, cap bigint,
      probability_best double precision) on commit drop;
    truncate pg_temp.bandit_allocation;
    -- One arm per platform (the first by name when several name it); only platforms with an active budget.
    insert into pg_temp.bandit_allocation (arm_id, platform, cap)
    select distinct on (x.platform) x.id, x.platform, cb.monthly_budget_cents
    from (select a.id, a.arm_value, eva_private.fn_bandit_arm_platform(a.arm_value, a.metadata) as platform
          from marketing.bandit_arms a where a.bandit_id = v_b.id and a.status <> 'retired') x
    join marketing.marketing_channel_budgets cb on cb.venture_id = v_b.venture_id and cb.platform = x.platform and cb.status = 'active'
    order by x.platform, x.arm_value;
    select pg_catalog.count(*), coalesce(pg_catalog.sum(t.cap), 0) into v_count, v_pool from pg_temp.bandit_allocation t;
    if v_count = 0 then
      continue;
    end if;
    update pg_temp.bandit_allocation t set probability_best = p.probability_best
    from eva_private.fn_bandit_probability_best(v_b.id) p where p.arm_id = t.arm_id;
    -- P(best) among the allocated arms only (other arms of the bandit take no budget).
    update pg_temp.bandit_allocation t set probability_best = case when s.total > 0 then t.probability_best / s.total
      else 1.0 / v_count end
    from (select coalesce(pg_catalog.sum(probability_best), 0) as total from pg_temp.bandit_allocation) s;
    insert into marketing.bandit_channel_allocations (venture_id, platform, arm_id, allocated_hour, probability_best, share,
      allocated_cents, pool_cents)
    select v_b.venture_id, t.platform, t.arm_id, v_hour, pg_catalog.round(t.probability_best::numeric, 6),
      pg_catalog.round(least(1, v_floor + (1 - v_count * v_floor) * t.probability_best::numeric), 6),
      least(t.cap, pg_catalog.floor(v_pool * least(1, v_floor + (1 - v_count * v_floor) * t.probability_best::numeric)))::bigint,
      v_pool
    from pg_temp.bandit_allocation t
    on conflict (venture_id, platform, allocated_hour) do update set probability_best = excluded.probability_best,
      share = excluded.share, allocated_cents = excluded.allocated_cents, pool_cents = excluded.pool_cents, arm_id = excluded.arm_id;
    get diagnostics v_rows = row_count;
    v_n := v_n + v_rows;
  end loop;
  return v_n;
end;
$$;
comment on function marketing.fn_bandit_allocate_channels(uuid) is
  'Hourly channel allocation for one venture or all: each channel arm on a platform with an active budget gets share = allocation_floor + (1 − n × floor) × P(best) of the month''s pool, capped at the platform''s monthly budget; one row per venture, platform and hour (marketing.bandit_channel_allocations), read by the budget governor. Returns the rows written.';
grant execute on function marketing.fn_bandit_allocate_channels(uuid) to eva_service;
