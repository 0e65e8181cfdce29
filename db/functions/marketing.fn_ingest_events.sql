-- The one writer of marketing.marketing_events (webhooks, the platform
-- metrics poller, the unsubscribe link, tests, the bench): a JSON array of
-- events checked whole before anything is written, each bad row named (its
-- position, its field, why: EV400, nothing written). Duplicates by (source,
-- external_id, occurred_at), in the batch or already stored, are stored once.
-- On the way in: bots are marked (marketing.fn_is_bot), conversions without a
-- variant are attributed last-touch (the UTM parameters they carry, else the
-- visitor's latest click), each inserted event's counts go to the rollups'
-- queue (marketing.marketing_rollup_deltas), and an unsubscribe, bounce or
-- complaint naming an address suppresses it for every campaign of its venture.
-- Returns how many events were stored.
create or replace function marketing.fn_ingest_events(p_events jsonb)
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_total int;
  v_errors text[];
  v_bad int;
  v_oldest timestamptz;
  v_month date;
  v_count int;
  v_uuid constant text := '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
  v_time constant text := '^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|z|[+-]\d{2}(:?\d{2})?)?$';
  v_name constant text := '^[a-z][a-z0-9_]{0,39}$';
begin
  if p_events is null or pg_catalog.jsonb_typeof(p_events) <> 'array' then
    raise exception 'events must be a JSON array of objects (venture_id, source, platform, event_type, quantity, occurred_at, content_id, variant_id, external_id, properties, revenue_cents), not %',
      coalesce(pg_catalog.jsonb_typeof(p_events), 'null') using errcode = 'EV400';
  end if;
  v_total := pg_catalog.jsonb_array_length(p_events);
  if v_total = 0 then
    return 0;
  end if;
  if v_total > 10000 then
    raise exception '% events in one batch: at most 10000, nothing stored', v_total using errcode = 'EV400';
  end if;
  -- The oldest time still kept (retention): an event older than that would land in no live partition.
  select pg_catalog.timezone('UTC', pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', pg_catalog.now()))
    - pg_catalog.make_interval(months => p.keep_months))
  into v_oldest from eva_private.partition_policies p where p.table_name = 'marketing.marketing_events';

  with r as (
    select x.ord, x.e from pg_catalog.jsonb_array_elements(p_events) with ordinality x(e, ord)
  ), problems as (
    select r.ord, pr.problem
    from r cross join lateral (
      select 'must be an object, not ' || pg_catalog.jsonb_typeof(r.e) as problem where pg_catalog.jsonb_typeof(r.e) <> 'object'
      union all
      select pg_catalog.format('unknown field "%s" (fields: venture_id, source, platform, event_type, quantity, occurred_at, content_id, variant_id, external_id, properties, revenue_cents)', k)
      from pg_catalog.jsonb_object_keys(case when pg_catalog.jsonb_typeof(r.e) = 'object' then r.e else '{}' end) k
      where k not in ('venture_id', 'source', 'platform', 'event_type', 'quantity', 'occurred_at', 'content_id',
        'variant_id', 'external_id', 'properties', 'revenue_cents')
      union all
      select 'venture_id must be a uuid, not ' || coalesce((r.e -> 'venture_id')::text, 'missing')
      where pg_catalog.jsonb_typeof(r.e) = 'object' and not coalesce(r.e ->> 'venture_id' ~ v_uuid, false)
      union all
      select 'source must be lowercase letters, digits or _ (e.g. resend, posthog, bluesky), not ' || coalesce((r.e -> 'source')::text, 'missing')
      where pg_catalog.jsonb_typeof(r.e) = 'object' and not coalesce(pg_catalog.jsonb_typeof(r.e -> 'source') = 'string' and r.e ->> 'source' ~ v_name, false)
      union all
      select 'platform must be lowercase letters, digits or _ (bluesky, mastodon, x, email...) or null, not ' || (r.e -> 'platform')::text
      where pg_catalog.jsonb_typeof(r.e) = 'object' and coalesce(pg_catalog.jsonb_typeof(r.e -> 'platform'), 'null') <> 'null'
        and not coalesce(pg_catalog.jsonb_typeof(r.e -> 'platform') = 'string' and r.e ->> 'platform' ~ v_name, false)
      union all
      select 'event_type must be impression, engagement, click, conversion, unsubscribe, bounce, complaint, open or delivered, not '
        || coalesce((r.e -> 'event_type')::text, 'missing')
      where pg_catalog.jsonb_typeof(r.e) = 'object' and not coalesce(pg_catalog.jsonb_typeof(r.e -> 'event_type') = 'string'
        and r.e ->> 'event_type' in ('impression', 'engagement', 'click', 'conversion', 'unsubscribe', 'bounce', 'complaint', 'open', 'delivered'), false)
      union all
      select 'quantity must be a whole number, not ' || (r.e -> 'quantity')::text
      where pg_catalog.jsonb_typeof(r.e) = 'object' and coalesce(pg_catalog.jsonb_typeof(r.e -> 'quantity'), 'null') <> 'null'
        and not (pg_catalog.jsonb_typeof(r.e -> 'quantity') = 'number' and r.e ->> 'quantity' ~ '^-?\d{1,15}$')
      union all
      select 'revenue_cents must be a whole number, not ' || (r.e -> 'revenue_cents')::text
      where pg_catalog.jsonb_typeof(r.e) = 'object' and coalesce(pg_catalog.jsonb_typeof(r.e -> 'revenue_cents'), 'null') <> 'null'
        and not (pg_catalog.jsonb_typeof(r.e -> 'revenue_cents') = 'number' and r.e ->> 'revenue_cents' ~ '^-?\d{1,15}$')
      union all
      select 'occurred_at must be a date and time (ISO 8601, e.g. 2026-11-30T09:00:00Z), not ' || coalesce((r.e -> 'occurred_at')::text, 'missing')
      where pg_catalog.jsonb_typeof(r.e) = 'object' and not coalesce(pg_catalog.jsonb_typeof(r.e -> 'occurred_at') = 'string'
        and r.e ->> 'occurred_at' ~ v_time, false)
      union all
      select pg_catalog.format('%s must be a uuid or null, not %s', f, (r.e -> f)::text)
      from pg_catalog.unnest(array['content_id', 'variant_id']) f
      where pg_catalog.jsonb_typeof(r.e) = 'object' and coalesce(pg_catalog.jsonb_typeof(r.e -> f), 'null') <> 'null'
        and not coalesce(r.e ->> f ~ v_uuid, false)
      union all
      select 'external_id (the source''s own id of the event) must be text of 1-500 characters, not ' || coalesce((r.e -> 'external_id')::text, 'missing')
      where pg_catalog.jsonb_typeof(r.e) = 'object' and not coalesce(pg_catalog.jsonb_typeof(r.e -> 'external_id') in ('string', 'number')
        and pg_catalog.char_length(r.e ->> 'external_id') between 1 and 500, false)
      union all
      select 'properties must be an object, not ' || pg_catalog.jsonb_typeof(r.e -> 'properties')
      where pg_catalog.jsonb_typeof(r.e) = 'object' and coalesce(pg_catalog.jsonb_typeof(r.e -> 'properties'), 'null') not in ('null', 'object')
    ) pr
  )
  select pg_catalog.array_agg(pg_catalog.format('row %s: %s', p.ord, p.problem) order by p.ord),
    pg_catalog.count(distinct p.ord)
  into v_errors, v_bad from problems p;

  if v_errors is null then
    -- Values that look right but are not (a 31st of February, an unknown venture, out of retention).
    begin
      with r as (
        select x.ord, (x.e ->> 'venture_id')::uuid as venture_id, (x.e ->> 'occurred_at')::timestamptz as occurred_at
        from pg_catalog.jsonb_array_elements(p_events) with ordinality x(e, ord)
      ), problems as (
        select r.ord, 'venture ' || r.venture_id || ' does not exist' as problem from r
        where not exists (select 1 from eva.ventures v where v.id = r.venture_id)
        union all
        select r.ord, pg_catalog.format('occurred_at %s is in the future: record what happened', r.occurred_at) from r
        where r.occurred_at > pg_catalog.now() + interval '5 minutes'
        union all
        select r.ord, pg_catalog.format('occurred_at %s is older than the events kept (since %s)', r.occurred_at, v_oldest) from r
        where r.occurred_at < v_oldest
      )
      select pg_catalog.array_agg(pg_catalog.format('row %s: %s', p.ord, p.problem) order by p.ord),
        pg_catalog.count(distinct p.ord)
      into v_errors, v_bad from problems p;
    exception when data_exception then
      raise exception 'events refused, nothing stored: %', sqlerrm using errcode = 'EV400',
        hint = 'occurred_at must be a real date and time (ISO 8601).';
    end;
  end if;

  if v_errors is not null then
    raise exception '% of % events refused, nothing stored: %', v_bad, v_total,
      pg_catalog.array_to_string(v_errors[1:20], '; ')
        || case when pg_catalog.cardinality(v_errors) > 20
             then pg_catalog.format('; and %s more', pg_catalog.cardinality(v_errors) - 20) else '' end
      using errcode = 'EV400';
  end if;

  -- A late event of a month before the partitions made ahead gets its own month, never the DEFAULT partition.
  for v_month in
    select distinct pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', (e ->> 'occurred_at')::timestamptz))::date
    from pg_catalog.jsonb_array_elements(p_events) e
    where (e ->> 'occurred_at')::timestamptz < pg_catalog.timezone('UTC', pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', pg_catalog.now())) - interval '1 month')
  loop
    perform eva_private.fn_create_partition('marketing.marketing_events', v_month);
  end loop;

  with r as (
    select x.ord,
      (x.e ->> 'venture_id')::uuid as venture_id,
      x.e ->> 'source' as source,
      nullif(x.e ->> 'platform', '') as platform,
      x.e ->> 'event_type' as event_type,
      coalesce((x.e ->> 'quantity')::bigint, 1) as quantity,
      (x.e ->> 'occurred_at')::timestamptz as occurred_at,
      (x.e ->> 'content_id')::uuid as content_id,
      (x.e ->> 'variant_id')::uuid as variant_id,
      x.e ->> 'external_id' as external_id,
      coalesce(case when pg_catalog.jsonb_typeof(x.e -> 'properties') = 'object' then x.e -> 'properties' end, '{}'::jsonb) as properties,
      (x.e ->> 'revenue_cents')::bigint as revenue_cents
    from pg_catalog.jsonb_array_elements(p_events) with ordinality x(e, ord)
  ), utm as (
    -- The UTM parameters an event carries (utmLink: utm_source = platform, utm_content = variant).
    select r.*,
      case when r.properties ->> 'utm_content' ~ v_uuid then (r.properties ->> 'utm_content')::uuid end as utm_variant,
      case when pg_catalog.lower(r.properties ->> 'utm_source') ~ v_name then pg_catalog.lower(r.properties ->> 'utm_source') end as utm_platform,
      marketing.fn_is_bot(r.properties) as bot
    from r
  ), touched as (
    -- Last touch: the event's own UTM parameters, else (a conversion) the visitor's latest click before it (30 days).
    select u.*, lc.variant_id as click_variant, lc.content_id as click_content, lc.platform as click_platform
    from utm u
    left join lateral (
      select c.variant_id, c.content_id, c.platform
      from marketing.marketing_events c
      where u.event_type = 'conversion' and u.variant_id is null and u.utm_variant is null
        and u.properties ? 'distinct_id'
        and c.venture_id = u.venture_id and c.event_type = 'click'
        and (c.properties ->> 'distinct_id') = (u.properties ->> 'distinct_id')
        and c.occurred_at <= u.occurred_at and c.occurred_at > u.occurred_at - interval '30 days'
        and not c.bot and c.variant_id is not null
      order by c.occurred_at desc limit 1
    ) lc on true
  ), attributed as (
    select t.ord, t.venture_id, t.source,
      coalesce(t.platform, t.utm_platform, t.click_platform) as platform,
      t.event_type, t.quantity, t.occurred_at,
      coalesce(t.content_id, case when t.variant_id is null and t.utm_variant is null then t.click_content end) as content_id,
      coalesce(t.variant_id, t.utm_variant, t.click_variant) as variant_id,
      t.external_id,
      case
        when t.variant_id is not null or t.event_type <> 'conversion' then t.properties
        when t.utm_variant is not null then t.properties || '{"attribution": "last_touch_utm"}'
        when t.click_variant is not null then t.properties || '{"attribution": "last_touch_click"}'
        else t.properties || '{"attribution": "none"}'
      end as properties,
      case when t.event_type = 'conversion'
        then coalesce(t.revenue_cents, case when t.properties ->> 'revenue_cents' ~ '^-?\d{1,15}$' then (t.properties ->> 'revenue_cents')::bigint end, 0)
        else 0 end as revenue_cents,
      t.bot
    from touched t
  ), filled as (
    -- A variant's content, when another event of that variant named it (the rollups keep a variant on one row).
    select a.ord, a.venture_id, a.source, a.platform, a.event_type, a.quantity, a.occurred_at,
      coalesce(a.content_id, case when a.variant_id is not null then
        (select e.content_id from marketing.marketing_events e where e.variant_id = a.variant_id and e.content_id is not null limit 1) end) as content_id,
      a.variant_id, a.external_id, a.properties, a.revenue_cents, a.bot
    from attributed a
  ), firsts as (
    select distinct on (f.source, f.external_id, f.occurred_at) f.* from filled f
    order by f.source, f.external_id, f.occurred_at, f.ord
  ), ins as (
    insert into marketing.marketing_events (venture_id, source, platform, event_type, quantity, occurred_at, content_id,
      variant_id, external_id, properties, revenue_cents, bot)
    select f.venture_id, f.source, f.platform, f.event_type, f.quantity, f.occurred_at, f.content_id, f.variant_id,
      f.external_id, f.properties, f.revenue_cents, f.bot
    from firsts f order by f.ord
    on conflict (source, external_id, occurred_at) do nothing
    returning venture_id, platform, event_type, quantity, occurred_at, content_id, variant_id, properties, revenue_cents, bot
  ), deltas as (
    insert into marketing.marketing_rollup_deltas (rollup_date, venture_id, platform, content_id, variant_id, impressions,
      engagements, clicks, conversions, revenue_cents, opens, deliveries, unsubscribes, bounces, complaints, bot_events)
    select pg_catalog.timezone('UTC', i.occurred_at)::date, i.venture_id, coalesce(i.platform, 'unknown'), i.content_id, i.variant_id,
      coalesce(pg_catalog.sum(i.quantity) filter (where not i.bot and i.event_type = 'impression'), 0),
      coalesce(pg_catalog.sum(i.quantity) filter (where not i.bot and i.event_type = 'engagement'), 0),
      coalesce(pg_catalog.sum(i.quantity) filter (where not i.bot and i.event_type = 'click'), 0),
      coalesce(pg_catalog.sum(i.quantity) filter (where not i.bot and i.event_type = 'conversion'), 0),
      coalesce(pg_catalog.sum(i.revenue_cents) filter (where not i.bot and i.event_type = 'conversion'), 0),
      coalesce(pg_catalog.sum(i.quantity) filter (where not i.bot and i.event_type = 'open'), 0),
      coalesce(pg_catalog.sum(i.quantity) filter (where not i.bot and i.event_type = 'delivered'), 0),
      coalesce(pg_catalog.sum(i.quantity) filter (where not i.bot and i.event_type = 'unsubscribe'), 0),
      coalesce(pg_catalog.sum(i.quantity) filter (where not i.bot and i.event_type = 'bounce'), 0),
      coalesce(pg_catalog.sum(i.quantity) filter (where not i.bot and i.event_type = 'complaint'), 0),
      coalesce(pg_catalog.sum(i.quantity) filter (where i.bot), 0)
    from ins i
    group by 1, 2, 3, 4, 5
  ), suppressed as (
    -- Whoever unsubscribed, bounced or complained is never emailed again by that venture (a bot's click is not a person's choice).
    insert into marketing.marketing_email_suppressions (venture_id, email, reason, source_event)
    select distinct on (i.venture_id, pg_catalog.lower(i.properties ->> 'email')) i.venture_id, pg_catalog.lower(i.properties ->> 'email'),
      i.event_type, i.properties ->> 'event_id'
    from ins i
    where i.event_type in ('unsubscribe', 'bounce', 'complaint') and not i.bot
      and pg_catalog.jsonb_typeof(i.properties -> 'email') = 'string' and i.properties ->> 'email' like '%@%'
      -- A transient bounce (mailbox full, greylisting) is retried by the provider, not a reason to stop.
      and coalesce(i.properties ->> 'bounce_type', '') <> 'transient'
    order by i.venture_id, pg_catalog.lower(i.properties ->> 'email'), i.occurred_at
    on conflict (venture_id, email) do nothing
    returning 1
  )
  select pg_catalog.count(*)::int into v_count from ins;
  return v_count;
end;
$$;
comment on function marketing.fn_ingest_events(jsonb) is
  E'Stores marketing events, all or none: p_events is a JSON array (at most 10000) of objects with venture_id, source, platform (or null), event_type (impression, engagement, click, conversion, unsubscribe, bounce, complaint, open, delivered), quantity (default 1), occurred_at (ISO 8601, not in the future, within retention), content_id, variant_id, external_id (the source''s event id), properties (object) and revenue_cents (conversions). Each bad row is named with its field (EV400) and nothing is stored. An event already stored (same source, external_id, occurred_at) is skipped. Bots are marked, conversions attributed last-touch (UTM parameters, else the visitor''s latest click), counts queued for the rollups, unsubscribes/bounces/complaints suppress their address for the venture. Returns the number of events stored.';
grant execute on function marketing.fn_ingest_events(jsonb) to eva_service;
