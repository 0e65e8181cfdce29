-- The rollups as venture metrics (spec §8.6: Stage 24 reads measured facts):
-- for each (venture, UTC day) given, the day's totals over every platform go to
-- eva.venture_metrics through its one writer, source "marketing_rollup", AARRR
-- categories (reach and clicks are acquisition, conversions activation,
-- attributed revenue revenue). Each value is recorded once (its sourceRef
-- names day, metric and value), so a re-run records nothing and a late event
-- that changes a day's total records the corrected value; a day still in
-- progress is observed now, a finished day at its last moment. Rates are
-- recorded only when their denominator is not zero (no value is not 0 %).
create or replace function marketing.fn_feed_venture_metrics(p_days jsonb)
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_day record;
  v_rows jsonb;
  v_recorded int := 0;
begin
  for v_day in
    select distinct (d ->> 'venture_id')::uuid as venture_id, (d ->> 'rollup_date')::date as rollup_date
    from pg_catalog.jsonb_array_elements(coalesce(p_days, '[]')) d
    order by 1, 2
  loop
    with totals as (
      select coalesce(pg_catalog.sum(r.impressions), 0) as impressions, coalesce(pg_catalog.sum(r.engagements), 0) as engagements,
        coalesce(pg_catalog.sum(r.clicks), 0) as clicks, coalesce(pg_catalog.sum(r.conversions), 0) as conversions,
        coalesce(pg_catalog.sum(r.revenue_cents), 0) as revenue_cents
      from marketing.marketing_daily_rollups r
      where r.venture_id = v_day.venture_id and r.rollup_date = v_day.rollup_date
    ), metrics(category, name, key, value) as (
      select 'acquisition', 'Marketing impressions (UTC day)', 'impressions', t.impressions::numeric from totals t
      union all select 'acquisition', 'Marketing engagements (UTC day)', 'engagements', t.engagements from totals t
      union all select 'acquisition', 'Marketing clicks (UTC day)', 'clicks', t.clicks from totals t
      union all select 'acquisition', 'Marketing click-through rate (%)', 'ctr', pg_catalog.round(100.0 * t.clicks / t.impressions, 2)
        from totals t where t.impressions > 0
      union all select 'activation', 'Marketing conversions (UTC day)', 'conversions', t.conversions from totals t
      union all select 'activation', 'Marketing conversion rate (%)', 'conversion_rate', pg_catalog.round(100.0 * t.conversions / t.clicks, 2)
        from totals t where t.clicks > 0
      union all select 'revenue', 'Marketing attributed revenue (cents, UTC day)', 'revenue_cents', t.revenue_cents from totals t
    )
    select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('category', m.category, 'name', m.name, 'value', m.value,
      'observedAt', least(pg_catalog.timezone('UTC', (v_day.rollup_date + 1)::timestamp) - interval '1 millisecond', pg_catalog.now()),
      'source', 'marketing_rollup',
      'sourceRef', pg_catalog.format('%s:%s:%s', v_day.rollup_date, m.key, m.value)))
    into v_rows
    from metrics m
    where not exists (select 1 from eva.venture_metrics vm where vm.venture_id = v_day.venture_id and vm.source = 'marketing_rollup'
      and vm.source_ref = pg_catalog.format('%s:%s:%s', v_day.rollup_date, m.key, m.value));
    if v_rows is not null then
      perform 1 from eva.fn_record_venture_metrics(v_day.venture_id, v_rows);
      v_recorded := v_recorded + pg_catalog.jsonb_array_length(v_rows);
    end if;
  end loop;
  return v_recorded;
end;
$$;
comment on function marketing.fn_feed_venture_metrics(jsonb) is
  'Records the daily marketing totals of the given (venture_id, rollup_date) pairs in eva.venture_metrics (source marketing_rollup; impressions, engagements, clicks, CTR as acquisition; conversions and conversion rate as activation; attributed revenue as revenue), each value once. Returns how many metrics were recorded.';
grant execute on function marketing.fn_feed_venture_metrics(jsonb) to eva_service;
