-- The budget governors (spec §17.1) for one call about to be made: the
-- monthly hard cap per venture × platform, the daily stop-loss at the
-- budget's multiplier × the rolling daily average (the last
-- marketing.stop_loss_days days, today excluded; no average yet, no
-- stop-loss), a paused budget. Returns null (go) or the reason it refuses.
-- X has a budget even when the Chairman set none: $50 a month.
create or replace function eva_private.fn_marketing_governor(p_venture_id uuid, p_platform text, p_cost_cents numeric)
returns text
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_b marketing.marketing_channel_budgets;
  v_month date := pg_catalog.date_trunc('month', pg_catalog.now())::date;
  v_today timestamptz := pg_catalog.date_trunc('day', pg_catalog.now());
  v_days int := coalesce((select (s.value #>> '{}')::int from eva_private.settings s where s.key = 'marketing.stop_loss_days'), 7);
  v_month_spend numeric;
  v_today_spend numeric;
  v_avg numeric;
  v_alloc record;
begin
  if p_platform = 'x' then
    insert into marketing.marketing_channel_budgets (venture_id, platform, monthly_budget_cents, source)
    values (p_venture_id, 'x', coalesce((select (s.value #>> '{}')::bigint from eva_private.settings s
      where s.key = 'marketing.x_default_budget_cents'), 5000), 'default')
    on conflict (venture_id, platform) do nothing;
  end if;
  select * into v_b from marketing.marketing_channel_budgets b
  where b.venture_id = p_venture_id and b.platform = p_platform for update;
  if not found then
    return null;
  end if;
  if v_b.status = 'paused' then
    return pg_catalog.format('budget: %s is paused for this venture by the Chairman', p_platform);
  end if;
  select coalesce(sum(l.amount_cents) filter (where l.occurred_at >= v_month), 0),
         coalesce(sum(l.amount_cents) filter (where l.occurred_at >= v_today), 0),
         coalesce(sum(l.amount_cents) filter (where l.occurred_at < v_today and l.occurred_at >= v_today - pg_catalog.make_interval(days => v_days)), 0) / v_days
    into v_month_spend, v_today_spend, v_avg
  from marketing.marketing_spend_ledger l
  where l.venture_id = p_venture_id and l.platform = p_platform
    and l.occurred_at >= least(v_month::timestamptz, v_today - pg_catalog.make_interval(days => v_days));
  update marketing.marketing_channel_budgets b set
    current_month_spend_cents = pg_catalog.ceil(v_month_spend)::bigint, spend_month = v_month, updated_at = pg_catalog.now()
  where b.id = v_b.id;
  if v_month_spend + p_cost_cents > v_b.monthly_budget_cents then
    return pg_catalog.format('monthly cap: %s has spent $%s of its $%s %s budget this month; this post would cost $%s',
      p_platform, pg_catalog.to_char(v_month_spend / 100.0, 'FM999999990.00'),
      pg_catalog.to_char(v_b.monthly_budget_cents / 100.0, 'FM999999990.00'), p_platform,
      pg_catalog.to_char(p_cost_cents / 100.0, 'FM999999990.00'));
  end if;
  -- The hourly channel allocation (marketing.fn_bandit_allocate_channels): a paid post may not take the month's
  -- spend past the share of the pool the learning loop last gave this platform.
  select al.allocated_cents, al.share into v_alloc from marketing.bandit_channel_allocations al
  where al.venture_id = p_venture_id and al.platform = p_platform and al.allocated_hour >= v_month
  order by al.allocated_hour desc limit 1;
  if found and p_cost_cents > 0 and v_month_spend + p_cost_cents > v_alloc.allocated_cents then
    return pg_catalog.format('channel allocation: %s has spent $%s of the $%s (%s%% of the pool) the hourly allocation gives it this month; this post would cost $%s',
      p_platform, pg_catalog.to_char(v_month_spend / 100.0, 'FM999999990.00'),
      pg_catalog.to_char(v_alloc.allocated_cents / 100.0, 'FM999999990.00'),
      pg_catalog.to_char(v_alloc.share * 100, 'FM990.0'), pg_catalog.to_char(p_cost_cents / 100.0, 'FM999999990.00'));
  end if;
  if v_avg > 0 and v_today_spend + p_cost_cents > v_b.daily_stop_loss_multiplier * v_avg then
    return pg_catalog.format('daily stop-loss: %s spend today would reach $%s, over %s× the %s-day average of $%s a day',
      p_platform, pg_catalog.to_char((v_today_spend + p_cost_cents) / 100.0, 'FM999999990.00'),
      v_b.daily_stop_loss_multiplier, v_days, pg_catalog.to_char(v_avg / 100.0, 'FM999999990.00'));
  end if;
  return null;
end;
$$;
comment on function eva_private.fn_marketing_governor(uuid, text, numeric) is
  'The budget governors for a call costing p_cost_cents: null (go) or why not — a paused budget, the monthly hard cap, the hourly channel allocation (a paid post past the platform''s allocated share), the daily stop-loss (multiplier × the rolling daily average). Creates X''s default $50/month budget when there is none.';
grant execute on function eva_private.fn_marketing_governor(uuid, text, numeric) to eva_service;
