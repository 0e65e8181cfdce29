-- One signed webhook delivery (POST /webhooks/<source>, its signature checked
-- by the server): its receipt and its events in one transaction, so a
-- re-delivery (the same delivery id) stores nothing, and a delivery whose
-- events are refused leaves no receipt (the source retries it).
create or replace function marketing.fn_receive_webhook(p_source text, p_delivery_id text, p_events jsonb)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_stored int;
begin
  if p_source is null or p_source !~ '^[a-z][a-z0-9_]{0,39}$' then
    raise exception 'webhook source must be lowercase letters, digits or _, not %', coalesce(p_source, 'null') using errcode = 'EV400';
  end if;
  if p_delivery_id is null or pg_catalog.char_length(p_delivery_id) not between 1 and 500 then
    raise exception 'a webhook delivery needs its id (1-500 characters)' using errcode = 'EV400';
  end if;
  insert into marketing.marketing_webhook_receipts (source, delivery_id) values (p_source, p_delivery_id)
  on conflict (source, delivery_id) do nothing;
  if not found then
    return pg_catalog.jsonb_build_object('duplicate', true, 'stored', 0);
  end if;
  v_stored := marketing.fn_ingest_events(coalesce(p_events, '[]'::jsonb));
  update marketing.marketing_webhook_receipts set events_ingested = v_stored
  where source = p_source and delivery_id = p_delivery_id;
  return pg_catalog.jsonb_build_object('duplicate', false, 'stored', v_stored);
end;
$$;
comment on function marketing.fn_receive_webhook(text, text, jsonb) is
  'Records one verified webhook delivery and stores its events (marketing.fn_ingest_events), all or none; a delivery id already received stores nothing and answers {duplicate: true}. Returns {duplicate, stored}.';
grant execute on function marketing.fn_receive_webhook(text, text, jsonb) to eva_service;
