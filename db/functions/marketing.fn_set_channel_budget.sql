-- The Chairman sets a venture's budget on a platform (spec §17.1): the
-- monthly hard cap in cents, the daily stop-loss multiplier, active or paused.
create or replace function marketing.fn_set_channel_budget(p_venture_id uuid, p_platform text, p_monthly_budget_cents bigint,
  p_daily_stop_loss_multiplier numeric default 2.0, p_status text default 'active')
returns marketing.marketing_channel_budgets
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row marketing.marketing_channel_budgets;
  v_platform text := pg_catalog.lower(pg_catalog.btrim(p_platform));
begin
  if not exists (select 1 from eva.ventures v where v.id = p_venture_id) then
    raise exception 'no venture %', p_venture_id using errcode = 'EV404';
  end if;
  if v_platform is null or v_platform not in ('bluesky', 'mastodon', 'x', 'youtube', 'threads', 'linkedin', 'tiktok', 'reddit') then
    raise exception 'unknown platform "%"', p_platform using errcode = 'EV400';
  end if;
  if p_monthly_budget_cents is null or p_monthly_budget_cents < 0 then
    raise exception 'a monthly budget is a number of cents, 0 or more' using errcode = 'EV400';
  end if;
  if p_daily_stop_loss_multiplier is null or p_daily_stop_loss_multiplier <= 0 then
    raise exception 'the daily stop-loss multiplier must be above 0' using errcode = 'EV400';
  end if;
  if p_status not in ('active', 'paused') then
    raise exception 'a budget is active or paused, not %', p_status using errcode = 'EV400';
  end if;
  insert into marketing.marketing_channel_budgets as b (venture_id, platform, monthly_budget_cents,
    daily_stop_loss_multiplier, status, source)
  values (p_venture_id, v_platform, p_monthly_budget_cents, p_daily_stop_loss_multiplier, p_status, 'chairman')
  on conflict (venture_id, platform) do update set monthly_budget_cents = excluded.monthly_budget_cents,
    daily_stop_loss_multiplier = excluded.daily_stop_loss_multiplier, status = excluded.status, source = 'chairman',
    -- A raised cap may deserve a new alert this month.
    alerted_month = case when excluded.monthly_budget_cents > b.monthly_budget_cents then null else b.alerted_month end,
    updated_at = pg_catalog.now()
  returning * into v_row;
  perform eva_private.fn_log_event('marketing.budget_set', p_venture_id, pg_catalog.jsonb_build_object(
    'platform', v_platform, 'monthly_budget_cents', p_monthly_budget_cents,
    'daily_stop_loss_multiplier', p_daily_stop_loss_multiplier, 'status', p_status));
  return v_row;
end;
$$;
comment on function marketing.fn_set_channel_budget(uuid, text, bigint, numeric, text) is
  'The Chairman sets a venture''s monthly hard cap (cents), daily stop-loss multiplier and status (active | paused) on a platform. EV400 bad input, EV404 unknown venture.';
grant execute on function marketing.fn_set_channel_budget(uuid, text, bigint, numeric, text) to eva_chairman;
