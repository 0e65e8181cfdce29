-- rollup:materialize (daily, and whenever asked): adds the counts queued by
-- ingest (marketing.marketing_rollup_deltas) into the daily rollups and
-- deletes them, in one transaction, so its work is proportional to the events
-- that arrived since the last run; a run with nothing queued changes nothing.
-- A late event queued for an old day touches only that day's rows. The days
-- touched feed the venture metrics (marketing.fn_feed_venture_metrics).
-- Serialized with marketing.fn_rebuild_rollups by one advisory lock.
create or replace function marketing.fn_materialize_rollups()
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_days jsonb;
  v_deltas int;
  v_rows int;
  v_metrics int;
  v_pruned int;
begin
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('marketing.marketing_daily_rollups'));
  with taken as (
    delete from marketing.marketing_rollup_deltas returning *
  ), summed as (
    select t.rollup_date, t.venture_id, t.platform, t.content_id, t.variant_id,
      pg_catalog.sum(t.impressions) as impressions, pg_catalog.sum(t.engagements) as engagements, pg_catalog.sum(t.clicks) as clicks,
      pg_catalog.sum(t.conversions) as conversions, pg_catalog.sum(t.revenue_cents) as revenue_cents, pg_catalog.sum(t.opens) as opens,
      pg_catalog.sum(t.deliveries) as deliveries, pg_catalog.sum(t.unsubscribes) as unsubscribes, pg_catalog.sum(t.bounces) as bounces,
      pg_catalog.sum(t.complaints) as complaints, pg_catalog.sum(t.bot_events) as bot_events, pg_catalog.count(*) as n
    from taken t
    group by 1, 2, 3, 4, 5
  ), upserted as (
    insert into marketing.marketing_daily_rollups as r (rollup_date, venture_id, platform, content_id, variant_id, impressions,
      engagements, clicks, conversions, revenue_cents, opens, deliveries, unsubscribes, bounces, complaints, bot_events)
    select s.rollup_date, s.venture_id, s.platform, s.content_id, s.variant_id, s.impressions, s.engagements, s.clicks,
      s.conversions, s.revenue_cents, s.opens, s.deliveries, s.unsubscribes, s.bounces, s.complaints, s.bot_events
    from summed s
    on conflict on constraint marketing_daily_rollups_key do update set
      impressions = r.impressions + excluded.impressions, engagements = r.engagements + excluded.engagements,
      clicks = r.clicks + excluded.clicks, conversions = r.conversions + excluded.conversions,
      revenue_cents = r.revenue_cents + excluded.revenue_cents, opens = r.opens + excluded.opens,
      deliveries = r.deliveries + excluded.deliveries, unsubscribes = r.unsubscribes + excluded.unsubscribes,
      bounces = r.bounces + excluded.bounces, complaints = r.complaints + excluded.complaints,
      bot_events = r.bot_events + excluded.bot_events, updated_at = pg_catalog.now()
    returning r.rollup_date, r.venture_id
  )
  select (select coalesce(pg_catalog.sum(s.n), 0)::int from summed s), (select pg_catalog.count(*)::int from upserted),
    (select coalesce(pg_catalog.jsonb_agg(distinct pg_catalog.jsonb_build_object('venture_id', u.venture_id, 'rollup_date', u.rollup_date)), '[]')
     from upserted u)
  into v_deltas, v_rows, v_days;

  v_metrics := marketing.fn_feed_venture_metrics(v_days);
  -- Sources retry deliveries for about a day: a month of receipts is plenty to recognise a re-delivery.
  delete from marketing.marketing_webhook_receipts where received_at < pg_catalog.now() - interval '30 days';
  get diagnostics v_pruned = row_count;
  return pg_catalog.jsonb_build_object('deltas', v_deltas, 'rows', v_rows, 'days', v_days, 'metricsRecorded', v_metrics,
    'receiptsPruned', v_pruned);
end;
$$;
comment on function marketing.fn_materialize_rollups() is
  'Adds the counts queued by marketing.fn_ingest_events into marketing.marketing_daily_rollups (work proportional to the new events), feeds the touched days into eva.venture_metrics (source marketing_rollup) and prunes webhook receipts older than 30 days. Returns {deltas, rows, days, metricsRecorded, receiptsPruned}.';
grant execute on function marketing.fn_materialize_rollups() to eva_service;
