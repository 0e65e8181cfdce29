-- `eva dlq replay <id>`: re-delivers a pending dead letter once. Each replay
-- is a new event_deliver job keyed by (dead letter, replay number), so asking
-- twice queues nothing twice; the row records the replay, who asked and (when
-- the job has run) its result. Refused: an unknown id (EV404); a dead letter
-- already replayed, discarded, with a replay still queued, or with no delivery
-- to replay (EV409).
create or replace function eva.fn_dlq_replay(p_id bigint)
returns eva.eva_event_dlq
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_dlq eva.eva_event_dlq;
begin
  v_dlq := eva_private.fn_dlq_take(p_id, 'replay');
  if v_dlq.delivery_id is null then
    raise exception 'dead letter % has no subscription delivery to replay', p_id using errcode = 'EV409';
  end if;
  update eva.eva_event_dlq q
  set replays = q.replays + 1, replay_status = 'queued', replayed_by = eva_private.fn_caller_role(), replayed_at = null
  where q.id = p_id
  returning * into v_dlq;
  perform graphile_worker.add_job('event_deliver',
    pg_catalog.json_build_object('delivery_id', v_dlq.delivery_id, 'logged_at', v_dlq.event_logged_at,
      'dlq_id', v_dlq.id, 'replay', v_dlq.replays),
    job_key := 'event_replay:' || v_dlq.id || ':' || v_dlq.replays, max_attempts := 3);
  return v_dlq;
end;
$$;
comment on function eva.fn_dlq_replay(bigint) is
  'Queues one re-delivery of a pending dead letter (job_key event_replay:<id>:<replay>); EV404 unknown, EV409 replayed, dropped or a replay still queued.';
grant execute on function eva.fn_dlq_replay(bigint) to eva_chairman, eva_service;
