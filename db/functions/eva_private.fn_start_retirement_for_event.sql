-- The venture-retirement subscription's write (spec §14): a venture that ended
-- (its venture.killed / .sunset / .exited event) gets its retirement saga,
-- once (eva_private.fn_retirement_start returns the one it has). A reaction,
-- not part of the ending transaction: the saga is worker-driven anyway, the
-- ended venture's open work was superseded in that transaction, and a kill
-- inside a stage run no longer pays for the saga's rows and first job. The
-- reason and the deciding decision come from the event (they were the ending
-- transaction's settings).
create or replace function eva_private.fn_start_retirement_for_event(p_event_id bigint, p_logged_at timestamptz)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_event eva.eva_event_log;
  v_status text;
  v_saga uuid;
begin
  select * into v_event from eva.eva_event_log e where e.id = p_event_id and e.created_at = p_logged_at;
  if not found then
    raise exception 'event % (logged at %) is not in the log', p_event_id, p_logged_at using errcode = 'EV404';
  end if;
  select v.status::text into v_status from eva.ventures v where v.id = v_event.venture_id;
  if v_status is null or v_status not in ('killed', 'sunset', 'exited') then
    return pg_catalog.jsonb_build_object('venture', v_event.venture_id, 'status', v_status, 'saga', null);
  end if;
  perform pg_catalog.set_config('eva.ending_decision', coalesce(v_event.payload ->> 'decision_id', ''), true);
  v_saga := eva_private.fn_retirement_start(v_event.venture_id, v_status, v_event.payload ->> 'reason');
  perform pg_catalog.set_config('eva.ending_decision', '', true);
  return pg_catalog.jsonb_build_object('venture', v_event.venture_id, 'status', v_status, 'saga', v_saga);
end;
$$;
comment on function eva_private.fn_start_retirement_for_event(bigint, timestamptz) is
  'The venture-retirement handler''s write: starts (once) the retirement saga of the ended venture of a venture.killed/sunset/exited event, with the event''s reason and deciding decision. Returns {venture, status, saga}.';
grant execute on function eva_private.fn_start_retirement_for_event(bigint, timestamptz) to eva_service;
