-- The saga timeout sweep: active sagas past timeout_at (scheduler time) end
-- as failed with context.timedOut, each type compensated as it needs:
--   reality_gate_retry → the retry loop stops; the venture's stage work that
--     waits on it is blocked with a reason (the Chairman re-runs or kills);
--   sd_execution → sprint_completion = blocked and a DFE escalation (a
--     Chairman decision of type dfe_escalation, context kind sd_timeout, on the
--     Stage 19 run that waits for engineering);
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
  v_work eva.venture_stage_work;
  v_decision_id uuid;
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
    if v_saga.saga_type = 'sd_execution' then
      -- Spec §15: timeout → sprint_completion = blocked and a DFE escalation:
      -- the Chairman decides on Stage 19, which waits for engineering.
      update eva.eva_sagas set context = context || pg_catalog.jsonb_build_object('sprint_completion', 'blocked')
      where id = v_saga.id;
      perform eva_private.fn_saga_note_step(v_saga.id, 'await_completion', 'failed', pg_catalog.jsonb_build_object(
        'timedOut', true, 'timeoutAt', v_saga.timeout_at, 'completed', v_saga.context -> 'completed',
        'total', v_saga.context -> 'total'));
      select * into v_work from eva.venture_stage_work w
      where w.venture_id = v_saga.venture_id and w.lifecycle_stage = 19 and w.status = 'blocked'
      order by w.run_number desc limit 1 for update;
      if found then
        perform pg_catalog.set_config('eva.change_reason', v_reason, true);
        update eva.venture_stage_work set status = 'awaiting_decision', blocked_reason = null where id = v_work.id;
        insert into eva.chairman_decisions (venture_id, lifecycle_stage, decision_type, recommended_action, urgency,
          blocking, context)
        values (v_saga.venture_id, 19, 'dfe_escalation', 'block', 'immediate', true,
          pg_catalog.jsonb_build_object('kind', 'sd_timeout', 'reason', v_reason, 'sagaId', v_saga.id,
            'sprint_completion', 'blocked', 'completed', v_saga.context -> 'completed', 'total', v_saga.context -> 'total',
            'failures', v_saga.context -> 'failures', 'dfe', pg_catalog.jsonb_build_object(
              'output', 'PRESENT_TO_CHAIRMAN', 'triggers', pg_catalog.jsonb_build_array('sd_timeout'))))
        returning id into v_decision_id;
        perform eva_private.fn_await_chairman(v_work, v_reason);
        perform pg_catalog.set_config('eva.change_reason', '', true);
      end if;
    elsif v_saga.saga_type = 'reality_gate_retry' then
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
      'compensation', case v_saga.saga_type when 'venture_retirement' then 'alert'
        when 'sd_execution' then 'sprint blocked, DFE escalation' else 'stage work blocked' end,
      'decisionId', v_decision_id));
    v_decision_id := null;
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;
comment on function eva_private.fn_scheduler_saga_sweep() is
  'Tick: active sagas past timeout_at (scheduler time) fail with context.timedOut; retry and SD sagas block the waiting stage work; each gets an event and a P1 alert. Returns the count.';
grant execute on function eva_private.fn_scheduler_saga_sweep() to eva_service;
