-- Where a venture's media budget stands this month (spec §17.3): the cap, what
-- the spend ledger charged, what generations in flight may still cost
-- (reserved), and what remains.
create or replace function marketing.fn_media_budget_status(p_venture_id uuid, p_kind text)
returns jsonb
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  with cap as (
    select coalesce(
      (select b.monthly_budget_cents from marketing.media_budgets b where b.venture_id = p_venture_id and b.kind = p_kind),
      (select (s.value #>> '{}')::bigint from eva_private.settings s
        where s.key = 'marketing.media_default_' || p_kind || '_budget_cents'),
      0) as cents,
      exists (select 1 from marketing.media_budgets b where b.venture_id = p_venture_id and b.kind = p_kind) as set_by_chairman
  ), spent as (
    select coalesce(pg_catalog.sum(l.amount_cents), 0) as cents
    from marketing.marketing_spend_ledger l
    join marketing.media_generations g on g.id = l.media_generation_id
    where g.venture_id = p_venture_id and g.kind = p_kind
      and l.occurred_at >= pg_catalog.date_trunc('month', pg_catalog.now())
  ), reserved as (
    select coalesce(pg_catalog.sum(g.estimated_cost_cents), 0) as cents
    from marketing.media_generations g
    where g.venture_id = p_venture_id and g.kind = p_kind and g.status in ('requested', 'submitted', 'polling')
  )
  select pg_catalog.jsonb_build_object(
    'kind', p_kind,
    'month', pg_catalog.to_char(pg_catalog.date_trunc('month', pg_catalog.now()), 'YYYY-MM'),
    'budget_cents', cap.cents,
    'source', case when cap.set_by_chairman then 'chairman' else 'default' end,
    'spent_cents', spent.cents,
    'reserved_cents', reserved.cents,
    'remaining_cents', cap.cents - spent.cents - reserved.cents)
  from cap, spent, reserved;
$$;
comment on function marketing.fn_media_budget_status(uuid, text) is
  'A venture''s media budget this month for image or video: {budget_cents, source (chairman | default), spent_cents (spend ledger), reserved_cents (generations in flight), remaining_cents}.';
grant execute on function marketing.fn_media_budget_status(uuid, text) to eva_chairman, eva_service, eva_viewer;
