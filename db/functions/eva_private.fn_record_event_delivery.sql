-- The outcome of one delivery attempt, recorded once (the delivery row is
-- locked and a finished delivery is left as it is). Success: delivered, never
-- run again. Failure: the attempt and its error are counted; while attempts
-- remain (and the error is retryable) the next attempt is queued after the
-- subscription's backoff (retry_backoff, doubling per attempt, at most an
-- hour) as a new event_deliver job with the same job_key (the running job
-- then ends). graphile-worker's own backoff (exp(attempts) seconds) cannot be
-- set per subscription, so SQL owns the schedule. The last failure
-- dead-letters the delivery: a row in eva.eva_event_dlq with the event, the
-- handler, the attempts and the last error, and a system.dead_letter event.
-- Generic plans (plan_cache_mode): the deliveries and the log are partitioned,
-- so a custom plan (pruned to one partition) always looked cheaper and was made
-- again on every call; the generic plan prunes at run time.
create or replace function eva_private.fn_record_event_delivery(p_delivery_id bigint, p_logged_at timestamptz,
  p_error text default null, p_result jsonb default null, p_retryable boolean default true)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
set plan_cache_mode = force_generic_plan
as $$
declare
  v_delivery eva.event_deliveries;
  v_sub eva.event_subscriptions;
  v_event eva.eva_event_log;
  v_delay interval;
  v_dlq bigint;
begin
  select * into v_delivery from eva.event_deliveries d
  where d.id = p_delivery_id and d.event_logged_at = p_logged_at for update;
  if v_delivery.id is null then
    return pg_catalog.jsonb_build_object('status', 'gone');
  end if;
  if v_delivery.status in ('delivered', 'dead_lettered') then
    return pg_catalog.jsonb_build_object('status', v_delivery.status, 'unchanged', true);
  end if;
  select * into v_sub from eva.event_subscriptions s where s.id = v_delivery.subscription_id;

  if p_error is null then
    update eva.event_deliveries d
    set status = 'delivered', attempts = d.attempts + 1, result = p_result, delivered_at = pg_catalog.now(),
        updated_at = pg_catalog.now()
    where d.id = v_delivery.id and d.event_logged_at = v_delivery.event_logged_at;
    return pg_catalog.jsonb_build_object('status', 'delivered', 'attempts', v_delivery.attempts + 1);
  end if;

  v_delivery.attempts := v_delivery.attempts + 1;
  if p_retryable and v_delivery.attempts < v_sub.max_attempts then
    v_delay := least(v_sub.retry_backoff * pg_catalog.power(2, v_delivery.attempts - 1), interval '1 hour');
    update eva.event_deliveries d
    set status = 'retrying', attempts = v_delivery.attempts, last_error = p_error, updated_at = pg_catalog.now()
    where d.id = v_delivery.id and d.event_logged_at = v_delivery.event_logged_at;
    perform graphile_worker.add_job('event_deliver',
      pg_catalog.json_build_object('delivery_id', v_delivery.id, 'logged_at', v_delivery.event_logged_at),
      job_key := 'event_deliver:' || v_delivery.subscription_id || ':' || v_delivery.event_id,
      queue_name := case when v_sub.ordered then 'event_subscription:' || v_sub.id end,
      run_at := pg_catalog.clock_timestamp() + v_delay, max_attempts := v_sub.max_attempts);
    return pg_catalog.jsonb_build_object('status', 'retrying', 'attempts', v_delivery.attempts,
      'retryIn', extract(epoch from v_delay));
  end if;

  update eva.event_deliveries d
  set status = 'dead_lettered', attempts = v_delivery.attempts, last_error = p_error, updated_at = pg_catalog.now()
  where d.id = v_delivery.id and d.event_logged_at = v_delivery.event_logged_at;
  select * into v_event from eva.eva_event_log e
  where e.id = v_delivery.event_id and e.created_at = v_delivery.event_logged_at;
  insert into eva.eva_event_dlq (event_id, event_type, payload, failure_reason, retry_count, subscription_id, handler,
    delivery_id, event_logged_at, venture_id)
  values (v_delivery.event_id, v_delivery.event_type, coalesce(v_event.payload, '{}'::jsonb), p_error,
    v_delivery.attempts, v_sub.id, v_sub.handler, v_delivery.id, v_delivery.event_logged_at, v_delivery.venture_id)
  on conflict (delivery_id) where delivery_id is not null do nothing
  returning id into v_dlq;
  perform eva_private.fn_log_event('system.dead_letter', v_delivery.venture_id, pg_catalog.jsonb_build_object(
    'dlq_id', v_dlq, 'subscription_id', v_sub.id, 'subscription', v_sub.name, 'handler', v_sub.handler,
    'event_id', v_delivery.event_id, 'event_type', v_delivery.event_type, 'attempts', v_delivery.attempts,
    'error', p_error));
  return pg_catalog.jsonb_build_object('status', 'dead_lettered', 'attempts', v_delivery.attempts, 'dlqId', v_dlq);
end;
$$;
comment on function eva_private.fn_record_event_delivery(bigint, timestamptz, text, jsonb, boolean) is
  'Records a delivery attempt (p_error null: delivered); queues the next attempt after the subscription''s backoff, or dead-letters it (eva.eva_event_dlq, system.dead_letter) after the last. Returns {status, attempts, retryIn | dlqId}.';
grant execute on function eva_private.fn_record_event_delivery(bigint, timestamptz, text, jsonb, boolean) to eva_service;
