-- metrics:collect:all's write (hourly): the counts just read from a platform
-- for one post, stored as the post's latest, and their increase since the
-- last poll written as marketing events through marketing.fn_ingest_events
-- (impressions and views → impression, likes/reposts/replies/quotes →
-- engagement, clicks → click). The external id carries the new total, so a
-- repeated poll with the same counts writes nothing. Returns events stored.
create or replace function eva_private.fn_record_post_metrics(p_dispatch_id uuid, p_metrics jsonb, p_polled_at timestamptz)
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_d marketing.marketing_dispatches;
  v_events jsonb := '[]'::jsonb;
  v_m record;
  v_old bigint;
begin
  if p_metrics is null or pg_catalog.jsonb_typeof(p_metrics) <> 'object' then
    raise exception 'metrics are a JSON object of counts' using errcode = 'EV400';
  end if;
  select * into v_d from marketing.marketing_dispatches d where d.id = p_dispatch_id;
  if not found then
    raise exception 'no dispatch %', p_dispatch_id using errcode = 'EV404';
  end if;
  for v_m in
    select e.key as metric, (e.value #>> '{}')::bigint as value
    from pg_catalog.jsonb_each(p_metrics) e
    where e.key in ('impressions', 'likes', 'reposts', 'replies', 'quotes', 'clicks', 'views')
      and pg_catalog.jsonb_typeof(e.value) = 'number' and (e.value #>> '{}')::numeric >= 0
  loop
    select pm.value into v_old from marketing.marketing_post_metrics pm
    where pm.dispatch_id = v_d.id and pm.metric = v_m.metric for update;
    insert into marketing.marketing_post_metrics (dispatch_id, metric, value, polled_at)
    values (v_d.id, v_m.metric, v_m.value, p_polled_at)
    on conflict (dispatch_id, metric) do update set value = excluded.value, polled_at = excluded.polled_at;
    if v_m.value > coalesce(v_old, 0) then
      v_events := v_events || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
        'venture_id', v_d.venture_id, 'source', v_d.platform, 'platform', v_d.platform,
        'event_type', case when v_m.metric in ('impressions', 'views') then 'impression'
                           when v_m.metric = 'clicks' then 'click' else 'engagement' end,
        'quantity', v_m.value - coalesce(v_old, 0), 'occurred_at', p_polled_at,
        'content_id', v_d.content_id, 'variant_id', v_d.variant_id,
        'external_id', v_d.id || ':' || v_m.metric || ':' || v_m.value,
        'properties', pg_catalog.jsonb_build_object('metric', v_m.metric, 'total', v_m.value, 'dispatch_id', v_d.id,
          'platform_post_id', v_d.platform_post_id, 'classification', 'fact', 'source', v_d.platform || ' API poll')));
    end if;
  end loop;
  if pg_catalog.jsonb_array_length(v_events) = 0 then
    return 0;
  end if;
  return marketing.fn_ingest_events(v_events);
end;
$$;
comment on function eva_private.fn_record_post_metrics(uuid, jsonb, timestamptz) is
  'Stores the counts polled for a post and writes their increase since the last poll as marketing events (fn_ingest_events; fact, source the platform''s API); returns events stored.';
grant execute on function eva_private.fn_record_post_metrics(uuid, jsonb, timestamptz) to eva_service;
