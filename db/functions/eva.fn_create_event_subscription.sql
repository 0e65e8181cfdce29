-- Subscribing a handler to events (SQL owns subscriptions): the Chairman (or
-- the owner in psql) names the event type patterns, the handler of
-- src/orchestration/event-handlers.ts and its settings. The subscription
-- receives events listed after p_starts_after (a feed cursor; null: from now
-- on). A webhook needs {"url": "http(s)://…", "secretEnv": "ENV_VAR_NAME"}:
-- the secret itself stays in the worker's environment, never in a row.
-- p_filter narrows the events that get a delivery (eva_private.fn_event_filter_passes):
-- {"payload": {"stage": 5}}, {"payload_any": [{…}, {…}]}, {"state": "dependency_party"}.
create or replace function eva.fn_create_event_subscription(p_name text, p_event_types text[], p_handler text,
  p_config jsonb default '{}', p_max_attempts int default 5, p_retry_backoff interval default '2 seconds',
  p_starts_after text default null, p_ordered boolean default false, p_filter jsonb default null)
returns eva.event_subscriptions
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_cursor text := coalesce(nullif(p_starts_after, ''), eva.fn_event_cursor());
  v_config jsonb := coalesce(p_config, '{}'::jsonb);
  v_row eva.event_subscriptions;
begin
  if v_cursor !~ '^[0-9]{1,18}\.[0-9]{1,18}$' then
    raise exception '"%" is not an event feed cursor', p_starts_after using errcode = 'EV400';
  end if;
  if pg_catalog.jsonb_typeof(v_config) <> 'object' or v_config ? 'secret' then
    raise exception 'a subscription''s config is an object without a secret' using errcode = 'EV400',
      hint = 'Put the secret in the worker''s environment and name the variable in "secretEnv".';
  end if;
  if p_handler = 'webhook' and (coalesce(v_config ->> 'url', '') !~ '^https?://[^\s]+$'
      or coalesce(v_config ->> 'secretEnv', '') !~ '^[A-Z_][A-Z0-9_]*$') then
    raise exception 'a webhook subscription needs config {"url": "http(s)://…", "secretEnv": "ENV_VAR_NAME"}'
      using errcode = 'EV400';
  end if;
  perform eva_private.fn_event_filter_check(p_filter);
  if exists (select 1 from eva.event_subscriptions s where s.name = p_name) then
    raise exception 'a subscription named "%" exists already', p_name using errcode = 'EV409';
  end if;
  insert into eva.event_subscriptions (name, event_types, handler, config, max_attempts, retry_backoff, ordered,
    filter, after_xact_id, after_event_id)
  values (p_name, p_event_types, p_handler, v_config, p_max_attempts, p_retry_backoff, coalesce(p_ordered, false),
    p_filter,
    pg_catalog.split_part(v_cursor, '.', 1)::bigint, pg_catalog.split_part(v_cursor, '.', 2)::bigint)
  returning * into v_row;
  return v_row;
end;
$$;
comment on function eva.fn_create_event_subscription(text, text[], text, jsonb, int, interval, text, boolean, jsonb) is
  'Creates an event subscription: patterns (`*` wildcard) → handler, its config (webhook: url and secretEnv), attempts, backoff, order and filter (which matching events get a delivery); receives events after p_starts_after (null: from now). EV400 bad input, EV409 name taken.';
grant execute on function eva.fn_create_event_subscription(text, text[], text, jsonb, int, interval, text, boolean, jsonb) to eva_chairman;
