-- Recomputes the rollups of whole UTC days from the events themselves (the
-- bench's full rollup; a repair after an archive was restored): the day's rows
-- become exactly the aggregate of its events, rows that did not change are
-- left untouched (a rebuild of a day already right writes nothing), rows no
-- longer backed by events go, and the queued counts of those days are
-- dropped in the same statement (they are in the recomputed rows).
create or replace function marketing.fn_rebuild_rollups(p_from date, p_to date, p_venture uuid default null)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_from timestamptz := pg_catalog.timezone('UTC', p_from::timestamp);
  v_to timestamptz := pg_catalog.timezone('UTC', (p_to + 1)::timestamp);
  v_changed int;
  v_removed int;
  v_days jsonb;
  v_metrics int;
begin
  if p_from is null or p_to is null or p_to < p_from then
    raise exception 'rebuild needs a first and a last day, the last not before the first (got % to %)', p_from, p_to
      using errcode = 'EV400';
  end if;
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('marketing.marketing_daily_rollups'));
  with dropped as (
    delete from marketing.marketing_rollup_deltas d
    where d.rollup_date between p_from and p_to and (p_venture is null or d.venture_id = p_venture)
    returning 1
  ), agg as (
    select pg_catalog.timezone('UTC', e.occurred_at)::date as rollup_date, e.venture_id, coalesce(e.platform, 'unknown') as platform,
      e.content_id, e.variant_id,
      coalesce(pg_catalog.sum(e.quantity) filter (where not e.bot and e.event_type = 'impression'), 0) as impressions,
      coalesce(pg_catalog.sum(e.quantity) filter (where not e.bot and e.event_type = 'engagement'), 0) as engagements,
      coalesce(pg_catalog.sum(e.quantity) filter (where not e.bot and e.event_type = 'click'), 0) as clicks,
      coalesce(pg_catalog.sum(e.quantity) filter (where not e.bot and e.event_type = 'conversion'), 0) as conversions,
      coalesce(pg_catalog.sum(e.revenue_cents) filter (where not e.bot and e.event_type = 'conversion'), 0) as revenue_cents,
      coalesce(pg_catalog.sum(e.quantity) filter (where not e.bot and e.event_type = 'open'), 0) as opens,
      coalesce(pg_catalog.sum(e.quantity) filter (where not e.bot and e.event_type = 'delivered'), 0) as deliveries,
      coalesce(pg_catalog.sum(e.quantity) filter (where not e.bot and e.event_type = 'unsubscribe'), 0) as unsubscribes,
      coalesce(pg_catalog.sum(e.quantity) filter (where not e.bot and e.event_type = 'bounce'), 0) as bounces,
      coalesce(pg_catalog.sum(e.quantity) filter (where not e.bot and e.event_type = 'complaint'), 0) as complaints,
      coalesce(pg_catalog.sum(e.quantity) filter (where e.bot), 0) as bot_events
    from marketing.marketing_events e
    where e.occurred_at >= v_from and e.occurred_at < v_to and (p_venture is null or e.venture_id = p_venture)
    group by 1, 2, 3, 4, 5
  ), upserted as (
    insert into marketing.marketing_daily_rollups as r (rollup_date, venture_id, platform, content_id, variant_id, impressions,
      engagements, clicks, conversions, revenue_cents, opens, deliveries, unsubscribes, bounces, complaints, bot_events)
    select a.* from agg a
    on conflict on constraint marketing_daily_rollups_key do update set
      impressions = excluded.impressions, engagements = excluded.engagements, clicks = excluded.clicks,
      conversions = excluded.conversions, revenue_cents = excluded.revenue_cents, opens = excluded.opens,
      deliveries = excluded.deliveries, unsubscribes = excluded.unsubscribes, bounces = excluded.bounces,
      complaints = excluded.complaints, bot_events = excluded.bot_events, updated_at = pg_catalog.now()
    where (r.impressions, r.engagements, r.clicks, r.conversions, r.revenue_cents, r.opens, r.deliveries, r.unsubscribes,
           r.bounces, r.complaints, r.bot_events)
      is distinct from (excluded.impressions, excluded.engagements, excluded.clicks, excluded.conversions, excluded.revenue_cents,
           excluded.opens, excluded.deliveries, excluded.unsubscribes, excluded.bounces, excluded.complaints, excluded.bot_events)
    returning r.rollup_date, r.venture_id
  ), removed as (
    delete from marketing.marketing_daily_rollups r
    where r.rollup_date between p_from and p_to and (p_venture is null or r.venture_id = p_venture)
      and not exists (select 1 from agg a where a.rollup_date = r.rollup_date and a.venture_id = r.venture_id
        and a.platform = r.platform and a.content_id is not distinct from r.content_id
        and a.variant_id is not distinct from r.variant_id)
    returning r.rollup_date, r.venture_id
  ), dropped_count as (select pg_catalog.count(*) from dropped)
  select (select pg_catalog.count(*)::int from upserted), (select pg_catalog.count(*)::int from removed),
    (select coalesce(pg_catalog.jsonb_agg(distinct pg_catalog.jsonb_build_object('venture_id', t.venture_id, 'rollup_date', t.rollup_date)), '[]')
     from (select * from upserted union select * from removed) t)
  into v_changed, v_removed, v_days
  from dropped_count;

  v_metrics := marketing.fn_feed_venture_metrics(v_days);
  return pg_catalog.jsonb_build_object('from', p_from, 'to', p_to, 'rowsChanged', v_changed, 'rowsRemoved', v_removed,
    'days', v_days, 'metricsRecorded', v_metrics);
end;
$$;
comment on function marketing.fn_rebuild_rollups(date, date, uuid) is
  'Recomputes marketing.marketing_daily_rollups for the UTC days p_from..p_to (one venture or all) from the events: changed rows rewritten, unchanged rows untouched, rows without events removed, those days'' queued counts dropped; feeds the changed days into eva.venture_metrics. Returns {rowsChanged, rowsRemoved, days, metricsRecorded}.';
grant execute on function marketing.fn_rebuild_rollups(date, date, uuid) to eva_service;
