-- The saga timeout sweep: active sagas past timeout_at (scheduler time) end
-- as failed with context.timedOut, each type compensated as it needs:
--   reality_gate_retry → the retry loop stops; the venture's stage work that
--     waits on it is blocked with a reason (the Chairman re-runs or kills);
--   sd_execution → engineering's Stage 18 work is blocked with a reason;
--   venture_retirement → the venture stays ended; a P1 alert asks for the
--     remaining steps by hand.
-- Every timed-out saga gets a saga.timed_out event and a P1 alert.
create or replace function eva_private.fn_scheduler_saga_sweep()
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz := eva.fn_scheduler_now();
  v_saga eva.eva_sagas;
  v_count int := 0;
  v_reason text;
begin
  for v_saga in
    select * from eva.eva_sagas s
    where s.status = 'active' and s.timeout_at <= v_now
    order by s.timeout_at
    for update skip locked
  loop
    v_reason := 'the ' || replace(v_saga.saga_type::text, '_', ' ') || ' saga timed out at step '
      || v_saga.current_step || ' (due by ' || v_saga.timeout_at || ')';
    update eva.eva_sagas
    set status = 'failed', completed_at = pg_catalog.now(),
        context = context || pg_catalog.jsonb_build_object('timedOut', pg_catalog.jsonb_build_object(
          'at', v_now, 'step', v_saga.current_step, 'timeoutAt', v_saga.timeout_at))
    where id = v_saga.id;
    if v_saga.saga_type in ('reality_gate_retry', 'sd_execution') then
      perform pg_catalog.set_config('eva.change_reason', v_reason, true);
      update eva.venture_stage_work set status = 'blocked', blocked_reason = v_reason
      where venture_id = v_saga.venture_id and status in ('ready', 'in_progress', 'awaiting_decision');
      perform pg_catalog.set_config('eva.change_reason', '', true);
    end if;
    insert into eva.eva_alerts (venture_id, severity, alert_type, message, details)
    values (v_saga.venture_id, 'P1', 'saga_timeout', v_reason,
      pg_catalog.jsonb_build_object('sagaId', v_saga.id, 'sagaType', v_saga.saga_type, 'step', v_saga.current_step));
    perform eva_private.fn_log_event('saga.timed_out', v_saga.venture_id, pg_catalog.jsonb_build_object(
      'sagaId', v_saga.id, 'sagaType', v_saga.saga_type, 'step', v_saga.current_step, 'timeoutAt', v_saga.timeout_at,
      'compensation', case v_saga.saga_type when 'venture_retirement' then 'alert' else 'stage work blocked' end));
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;
comment on function eva_private.fn_scheduler_saga_sweep() is
  'Tick: active sagas past timeout_at (scheduler time) fail with context.timedOut; retry and SD sagas block the waiting stage work; each gets an event and a P1 alert. Returns the count.';
grant execute on function eva_private.fn_scheduler_saga_sweep() to eva_service;
