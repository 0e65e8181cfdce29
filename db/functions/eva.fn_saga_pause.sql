-- Pauses an active saga with a reason (a failed teardown, an open circuit,
-- the Chairman): nothing runs until eva.fn_saga_resume. A pause by a failing
-- step raises a P1 alert for the Chairman.
create or replace function eva.fn_saga_pause(p_saga_id uuid, p_reason text)
returns eva.eva_sagas
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_saga eva.eva_sagas;
begin
  if coalesce(pg_catalog.btrim(p_reason), '') = '' then
    raise exception 'a pause needs a reason' using errcode = 'EV400';
  end if;
  select * into v_saga from eva.eva_sagas where id = p_saga_id for update;
  if not found then
    raise exception 'saga % does not exist', p_saga_id using errcode = 'EV404';
  end if;
  if v_saga.status <> 'active' then
    raise exception 'saga % is %: only an active saga pauses', p_saga_id, v_saga.status using errcode = 'EV409';
  end if;
  update eva.eva_sagas
  set status = 'paused', pause_reason = p_reason, paused_at = pg_catalog.now(), next_attempt_at = null,
      updated_at = pg_catalog.now()
  where id = p_saga_id returning * into v_saga;
  insert into eva.eva_alerts (venture_id, severity, alert_type, message, details)
  values (v_saga.venture_id, 'P1', 'saga_paused',
    'the ' || pg_catalog.replace(v_saga.saga_type::text, '_', ' ') || ' saga paused at step ' || v_saga.current_step
      || ': ' || p_reason || ' (eva sagas resume ' || v_saga.id || ')',
    pg_catalog.jsonb_build_object('sagaId', v_saga.id, 'sagaType', v_saga.saga_type, 'step', v_saga.current_step,
      'reason', p_reason));
  perform eva_private.fn_log_event('saga.paused', v_saga.venture_id, pg_catalog.jsonb_build_object(
    'saga_id', v_saga.id, 'saga_type', v_saga.saga_type, 'step', v_saga.current_step, 'reason', p_reason));
  return v_saga;
end;
$$;
comment on function eva.fn_saga_pause(uuid, text) is
  'Pauses an active saga with a reason (P1 alert saga_paused, saga.paused event); EV404 unknown, EV409 not active.';
grant execute on function eva.fn_saga_pause(uuid, text) to eva_service, eva_chairman;
