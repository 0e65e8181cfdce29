-- Ends an active or paused saga as failed, with the reason (saga.failed).
create or replace function eva_private.fn_saga_fail(p_saga_id uuid, p_reason text)
returns eva.eva_sagas
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_saga eva.eva_sagas;
begin
  select * into v_saga from eva.eva_sagas where id = p_saga_id for update;
  if not found then
    raise exception 'saga % does not exist', p_saga_id using errcode = 'EV404';
  end if;
  if v_saga.status not in ('active', 'paused') then
    raise exception 'saga % is %: it has ended', p_saga_id, v_saga.status using errcode = 'EV409';
  end if;
  update eva.eva_sagas
  set status = 'failed', completed_at = pg_catalog.now(), next_attempt_at = null, wait_until = null,
      last_error = coalesce(p_reason, last_error), updated_at = pg_catalog.now()
  where id = p_saga_id returning * into v_saga;
  insert into eva.eva_alerts (venture_id, severity, alert_type, message, details)
  values (v_saga.venture_id, 'P1', 'saga_failed', 'the ' || pg_catalog.replace(v_saga.saga_type::text, '_', ' ')
    || ' saga failed at step ' || v_saga.current_step || ': ' || coalesce(p_reason, 'no reason given'),
    pg_catalog.jsonb_build_object('sagaId', v_saga.id, 'sagaType', v_saga.saga_type, 'step', v_saga.current_step));
  perform eva_private.fn_log_event('saga.failed', v_saga.venture_id, pg_catalog.jsonb_build_object(
    'saga_id', v_saga.id, 'saga_type', v_saga.saga_type, 'step', v_saga.current_step, 'reason', p_reason));
  return v_saga;
end;
$$;
comment on function eva_private.fn_saga_fail(uuid, text) is
  'Ends an active or paused saga as failed (P1 alert, saga.failed); EV409 when it has ended.';
grant execute on function eva_private.fn_saga_fail(uuid, text) to eva_service;
