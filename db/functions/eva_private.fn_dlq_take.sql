-- The dead letter a Chairman's command acts on, locked, or the refusal that
-- command gets (eva.fn_dlq_replay, eva.fn_dlq_drop): an unknown id is EV404;
-- one dropped, replayed, or with a replay still queued is EV409.
create or replace function eva_private.fn_dlq_take(p_id bigint, p_action text)
returns eva.eva_event_dlq
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_dlq eva.eva_event_dlq;
begin
  select * into v_dlq from eva.eva_event_dlq q where q.id = p_id for update;
  if v_dlq.id is null then
    raise exception 'no dead letter %', p_id using errcode = 'EV404', hint = 'List them with `eva dlq list`.';
  elsif v_dlq.status = 'discarded' then
    raise exception 'dead letter % was dropped (by %, %): nothing to %', p_id, v_dlq.discarded_by, v_dlq.discarded_at,
      p_action using errcode = 'EV409';
  elsif v_dlq.status = 'replayed' then
    raise exception 'dead letter % was replayed and delivered (%): nothing to %', p_id, v_dlq.replayed_at, p_action
      using errcode = 'EV409', hint = 'A delivered event is not delivered again.';
  elsif v_dlq.replay_status = 'queued' then
    raise exception 'replay % of dead letter % is queued and not finished yet', v_dlq.replays, p_id
      using errcode = 'EV409', hint = 'Wait for its result (`eva dlq list`).';
  end if;
  return v_dlq;
end;
$$;
comment on function eva_private.fn_dlq_take(bigint, text) is
  'Locks a pending dead letter for a replay or drop (p_action names it in refusals); EV404 unknown, EV409 dropped, replayed or a replay queued.';
-- Called only by eva.fn_dlq_replay and eva.fn_dlq_drop: executable by its owner only.
