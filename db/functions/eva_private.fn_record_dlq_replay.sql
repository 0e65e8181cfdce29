-- The result of one replay of a dead letter, recorded once (for the DLQ row's
-- queued replay of that number only). Delivered: the dead letter is replayed
-- and its delivery delivered. Failed: the dead letter stays pending with the
-- new error and one more attempt counted; another replay may be asked for.
create or replace function eva_private.fn_record_dlq_replay(p_dlq_id bigint, p_replay int,
  p_error text default null, p_result jsonb default null)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_dlq eva.eva_event_dlq;
  v_outcome text := case when p_error is null then 'delivered' else 'failed' end;
begin
  select * into v_dlq from eva.eva_event_dlq q where q.id = p_dlq_id for update;
  if v_dlq.id is null or v_dlq.replays <> p_replay or v_dlq.replay_status is distinct from 'queued' then
    return pg_catalog.jsonb_build_object('status', coalesce(v_dlq.status::text, 'gone'), 'unchanged', true);
  end if;
  update eva.eva_event_dlq q
  set status = case when p_error is null then 'replayed'::eva.dlq_status else q.status end,
      replay_status = v_outcome,
      replayed_at = pg_catalog.now(),
      retry_count = q.retry_count + 1,
      failure_reason = coalesce(p_error, q.failure_reason),
      last_failed_at = case when p_error is null then q.last_failed_at else pg_catalog.now() end
  where q.id = v_dlq.id;
  update eva.event_deliveries d
  set status = case when p_error is null then 'delivered' else d.status end,
      attempts = d.attempts + 1,
      last_error = coalesce(p_error, d.last_error),
      result = coalesce(p_result, d.result),
      delivered_at = case when p_error is null then pg_catalog.now() else d.delivered_at end,
      updated_at = pg_catalog.now()
  where d.id = v_dlq.delivery_id and d.event_logged_at = v_dlq.event_logged_at;
  perform eva_private.fn_log_event('system.dlq_replayed', v_dlq.venture_id, pg_catalog.jsonb_build_object(
    'dlq_id', v_dlq.id, 'replay', p_replay, 'outcome', v_outcome, 'handler', v_dlq.handler,
    'event_id', v_dlq.event_id, 'error', p_error));
  return pg_catalog.jsonb_build_object('status', case when p_error is null then 'replayed' else 'pending' end,
    'replay', p_replay, 'outcome', v_outcome);
end;
$$;
comment on function eva_private.fn_record_dlq_replay(bigint, int, text, jsonb) is
  'Records the result of replay p_replay of a dead letter (p_error null: delivered → status replayed); once per replay.';
grant execute on function eva_private.fn_record_dlq_replay(bigint, int, text, jsonb) to eva_service;
