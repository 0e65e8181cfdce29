-- The filters a subscription may carry, checked when it is written.
create or replace function eva_private.fn_event_filter_check(p_filter jsonb)
returns void
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_key text;
begin
  if p_filter is null then
    return;
  end if;
  if pg_catalog.jsonb_typeof(p_filter) <> 'object' then
    raise exception 'a subscription filter is a JSON object, not %', pg_catalog.jsonb_typeof(p_filter)
      using errcode = 'EV400';
  end if;
  for v_key in select pg_catalog.jsonb_object_keys(p_filter) loop
    if v_key not in ('payload', 'payload_any', 'state') then
      raise exception 'a subscription filter has no "%" (it takes payload, payload_any, state)', v_key
        using errcode = 'EV400';
    end if;
  end loop;
  if p_filter ? 'payload' and pg_catalog.jsonb_typeof(p_filter -> 'payload') <> 'object' then
    raise exception 'filter "payload" is an object the event''s payload must contain' using errcode = 'EV400';
  end if;
  if p_filter ? 'payload_any' and (pg_catalog.jsonb_typeof(p_filter -> 'payload_any') <> 'array'
      or exists (select 1 from pg_catalog.jsonb_array_elements(p_filter -> 'payload_any') f
                 where pg_catalog.jsonb_typeof(f) <> 'object')) then
    raise exception 'filter "payload_any" is an array of objects, one of which the payload must contain'
      using errcode = 'EV400';
  end if;
  if p_filter ? 'state' and coalesce(p_filter ->> 'state', '') not in ('dependency_party', 'queue_stale', 'notification_webhook') then
    raise exception 'filter "state" is one of dependency_party, queue_stale, notification_webhook, not %',
      coalesce(p_filter ->> 'state', 'null') using errcode = 'EV400';
  end if;
end;
$$;
comment on function eva_private.fn_event_filter_check(jsonb) is
  'Refuses (EV400) a subscription filter other than an object of payload (object), payload_any (array of objects) and state (a known predicate).';
