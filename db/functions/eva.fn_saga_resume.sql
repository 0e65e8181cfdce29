-- The Chairman (or a service, once a circuit closes) resumes a paused saga:
-- it continues at the step it paused on, with a fresh retry budget; the
-- step's sub-steps already done are not repeated.
create or replace function eva.fn_saga_resume(p_saga_id uuid)
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
  if v_saga.status <> 'paused' then
    raise exception 'saga % is %: only a paused saga resumes', p_saga_id, v_saga.status using errcode = 'EV409',
      hint = case when v_saga.status = 'active' then 'It is running already.' else 'It has ended.' end;
  end if;
  update eva.eva_sagas
  set status = 'active', step_attempts = 0, next_attempt_at = null, updated_at = pg_catalog.now(),
      context = context || pg_catalog.jsonb_build_object('resumed', coalesce(context -> 'resumed', '[]'::jsonb)
        || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object('at', pg_catalog.now(), 'step', current_step,
          'pause_reason', pause_reason))),
      pause_reason = null, paused_at = null
  where id = p_saga_id returning * into v_saga;
  update eva.eva_alerts set status = 'resolved', resolved_at = pg_catalog.now()
  where alert_type = 'saga_paused' and status <> 'resolved' and details ->> 'sagaId' = p_saga_id::text;
  perform eva_private.fn_log_event('saga.resumed', v_saga.venture_id, pg_catalog.jsonb_build_object(
    'saga_id', v_saga.id, 'saga_type', v_saga.saga_type, 'step', v_saga.current_step));
  return v_saga;
end;
$$;
comment on function eva.fn_saga_resume(uuid) is
  'Resumes a paused saga at the step it paused on (fresh retry budget; its saga_paused alert resolved); EV404 unknown, EV409 not paused.';
grant execute on function eva.fn_saga_resume(uuid) to eva_service, eva_chairman;
