-- One delivery job per notification × channel (job_key), committed with the
-- notification: graphile-worker retries a failed delivery with exponential
-- backoff, up to 12 attempts (about 2.5 days of tries).
create or replace function eva_private.fn_enqueue_notification_delivery(p_notification_id uuid, p_channel text)
returns void
language sql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
  select graphile_worker.add_job(
    'notification_deliver',
    pg_catalog.json_build_object('notification_id', p_notification_id, 'channel', p_channel),
    job_key := 'notification:' || p_notification_id || ':' || p_channel,
    max_attempts := 12
  );
$$;
comment on function eva_private.fn_enqueue_notification_delivery(uuid, text) is
  'Queues notification_deliver for a notification on a channel (once: job_key notification:<id>:<channel>).';
