-- The 80 % alert (spec §17.1): once a month per budget, when the month's
-- spend reaches the budget's alert_ratio of its cap, a notification to the
-- Chairman (inbox and webhook: the notification-webhook subscription sends it
-- from the event) and the event marketing.budget_alert.
create or replace function eva_private.fn_marketing_budget_alert(p_budget_id uuid)
returns boolean
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_b marketing.marketing_channel_budgets;
  v_month date := pg_catalog.date_trunc('month', pg_catalog.now())::date;
  v_spend numeric;
  v_venture text;
  v_event bigint;
  v_id uuid;
begin
  select * into v_b from marketing.marketing_channel_budgets b where b.id = p_budget_id for update;
  if not found or v_b.monthly_budget_cents = 0 or v_b.alerted_month is not distinct from v_month then
    return false;
  end if;
  select coalesce(sum(l.amount_cents), 0) into v_spend from marketing.marketing_spend_ledger l
  where l.venture_id = v_b.venture_id and l.platform = v_b.platform and l.occurred_at >= v_month;
  update marketing.marketing_channel_budgets b set current_month_spend_cents = pg_catalog.ceil(v_spend)::bigint,
    spend_month = v_month, updated_at = pg_catalog.now()
  where b.id = v_b.id;
  if v_spend < v_b.alert_ratio * v_b.monthly_budget_cents then
    return false;
  end if;
  update marketing.marketing_channel_budgets b set alerted_month = v_month where b.id = v_b.id;
  select v.name into v_venture from eva.ventures v where v.id = v_b.venture_id;
  v_event := eva_private.fn_log_event('marketing.budget_alert', v_b.venture_id, pg_catalog.jsonb_build_object(
    'budget_id', v_b.id, 'platform', v_b.platform, 'spend_cents', v_spend, 'monthly_budget_cents', v_b.monthly_budget_cents,
    'ratio', pg_catalog.round(v_spend / v_b.monthly_budget_cents, 4), 'month', v_month));
  insert into eva.notifications (event_id, notification_type, urgency, channels, venture_id, summary, action_path, payload)
  values (v_event, 'marketing.budget_alert', 'immediate', array['inbox', 'webhook'], v_b.venture_id,
    pg_catalog.left(pg_catalog.format('%s: %s has spent $%s of its $%s monthly budget (%s%%)', coalesce(v_venture, 'venture'),
      v_b.platform, pg_catalog.to_char(v_spend / 100.0, 'FM999999990.00'),
      pg_catalog.to_char(v_b.monthly_budget_cents / 100.0, 'FM999999990.00'),
      pg_catalog.round(100 * v_spend / v_b.monthly_budget_cents)), 300),
    '/ventures/' || v_b.venture_id,
    pg_catalog.jsonb_build_object('event', 'marketing.budget_alert', 'platform', v_b.platform, 'spend_cents', v_spend,
      'monthly_budget_cents', v_b.monthly_budget_cents))
  returning id into v_id;
  return true;
end;
$$;
comment on function eva_private.fn_marketing_budget_alert(uuid) is
  'Raises the budget''s monthly alert (a Chairman notification and marketing.budget_alert) once its spend reaches alert_ratio of the cap; true when raised now.';
grant execute on function eva_private.fn_marketing_budget_alert(uuid) to eva_service;
