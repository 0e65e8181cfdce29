-- The Chairman stops a saga that has not ended: nothing more of it runs.
-- What its completed steps did stays done (and recorded).
create or replace function eva.fn_saga_cancel(p_saga_id uuid, p_reason text default null)
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
    raise exception 'saga % is %: it has ended and cannot be cancelled', p_saga_id, v_saga.status using errcode = 'EV409';
  end if;
  update eva.eva_sagas
  set status = 'cancelled', completed_at = pg_catalog.now(), next_attempt_at = null, wait_until = null,
      updated_at = pg_catalog.now(),
      context = context || pg_catalog.jsonb_build_object('cancelled', pg_catalog.jsonb_build_object(
        'at', pg_catalog.now(), 'step', current_step, 'reason', coalesce(p_reason, 'cancelled'), 'by', current_user))
  where id = p_saga_id returning * into v_saga;
  update eva.eva_alerts set status = 'resolved', resolved_at = pg_catalog.now()
  where alert_type = 'saga_paused' and status <> 'resolved' and details ->> 'sagaId' = p_saga_id::text;
  perform eva_private.fn_log_event('saga.cancelled', v_saga.venture_id, pg_catalog.jsonb_build_object(
    'saga_id', v_saga.id, 'saga_type', v_saga.saga_type, 'step', v_saga.current_step, 'reason', p_reason));
  return v_saga;
end;
$$;
comment on function eva.fn_saga_cancel(uuid, text) is
  'Cancels an active or paused saga (status cancelled; completed steps stay done); EV404 unknown, EV409 already ended.';
grant execute on function eva.fn_saga_cancel(uuid, text) to eva_chairman;
