-- `eva dlq drop <id>`: the Chairman dismisses a dead letter (status
-- discarded, with who and when); it stays for the record. Refused: an unknown
-- id (EV404); one already dropped or replayed, or with a replay queued (EV409).
create or replace function eva.fn_dlq_drop(p_id bigint)
returns eva.eva_event_dlq
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_dlq eva.eva_event_dlq;
begin
  perform eva_private.fn_dlq_take(p_id, 'drop');
  update eva.eva_event_dlq q
  set status = 'discarded', discarded_at = pg_catalog.now(), discarded_by = eva_private.fn_caller_role()
  where q.id = p_id
  returning * into v_dlq;
  perform eva_private.fn_log_event('system.dlq_dropped', v_dlq.venture_id, pg_catalog.jsonb_build_object(
    'dlq_id', v_dlq.id, 'handler', v_dlq.handler, 'event_id', v_dlq.event_id, 'by', v_dlq.discarded_by));
  return v_dlq;
end;
$$;
comment on function eva.fn_dlq_drop(bigint) is
  'Discards a pending dead letter (who and when recorded); EV404 unknown, EV409 already dropped, replayed or a replay queued.';
grant execute on function eva.fn_dlq_drop(bigint) to eva_chairman, eva_service;
