-- Records what a call through the circuit breakers came to (spec §3), for
-- each service as in eva_private.fn_circuit_permit. What counts as a failure
-- is the caller's judgement (src/orchestration/circuit-breakers.ts: the model
-- call itself failed — transport error, timeout, HTTP 5xx or 429 — not an
-- answer that failed validation). Per breaker:
--   success → closed, failures reset (from open or half-open: system.recovery,
--             and the breaker's open alert resolved);
--   failure → consecutive_failures + 1; in half-open the circuit opens again
--             (system.degradation, reopened); closed reaching failure_threshold
--             opens (system.degradation and a P1 alert for the Chairman).
-- Returns { open (a breaker is open now), retryAt (when it half-opens),
-- circuits [{ service, state, failures }] }.
create or replace function eva_private.fn_circuit_record(p_venture_id uuid, p_services text[], p_success boolean,
  p_error text default null)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz;
  v_service text;
  v_venture uuid;
  v_b eva.venture_circuit_breakers;
  v_was eva.circuit_state;
  v_circuits jsonb := '[]';
  v_open boolean := false;
  v_retry timestamptz;
  v_label text;
begin
  if coalesce(pg_catalog.cardinality(p_services), 0) = 0 then
    return pg_catalog.jsonb_build_object('open', false, 'circuits', '[]'::jsonb);
  end if;
  v_now := eva.fn_circuit_now();
  foreach v_service in array p_services loop
    v_venture := case when v_service like 'provider:%' then null else p_venture_id end;
    -- A provider's breaker opens after 5 consecutive failures (any venture's; a success from any venture
    -- resets it), so one venture's failing calls open its own circuit (3) before they can open its provider's.
    insert into eva.venture_circuit_breakers (venture_id, service, failure_threshold)
    values (v_venture, v_service, case when v_venture is null then 5 else 3 end)
    on conflict (venture_id, service) do nothing;
    select * into v_b from eva.venture_circuit_breakers b
    where b.venture_id is not distinct from v_venture and b.service = v_service for update;
    v_was := v_b.state;
    if p_success then
      update eva.venture_circuit_breakers b
      set state = 'closed', consecutive_failures = 0, opened_at = null, trial_started_at = null,
          trial_contract_id = null, last_success_at = v_now, updated_at = pg_catalog.now()
      where b.id = v_b.id
      returning * into v_b;
      if v_was <> 'closed' then
        perform eva_private.fn_log_event('system.recovery', v_venture, pg_catalog.jsonb_build_object(
          'circuit', v_service, 'scope', case when v_venture is null then 'provider' else 'venture' end,
          'state', 'closed', 'from', v_was, 'venture_id', p_venture_id));
        update eva.eva_alerts a set status = 'resolved', resolved_at = pg_catalog.now()
        where a.alert_type = 'circuit_open' and a.status <> 'resolved'
          and a.details ->> 'breakerId' = v_b.id::text;
      end if;
    else
      update eva.venture_circuit_breakers b
      set consecutive_failures = b.consecutive_failures + 1, last_error = pg_catalog.left(p_error, 2000),
          last_failure_at = v_now,
          state = case when b.state = 'half_open' or b.consecutive_failures + 1 >= b.failure_threshold then 'open'
                       else b.state end,
          opened_at = case when b.state = 'half_open' or (b.state = 'closed' and b.consecutive_failures + 1 >= b.failure_threshold)
                           then v_now else b.opened_at end,
          trial_started_at = null, trial_contract_id = null,
          times_opened = b.times_opened + case when b.state <> 'open' and
            (b.state = 'half_open' or b.consecutive_failures + 1 >= b.failure_threshold) then 1 else 0 end,
          updated_at = pg_catalog.now()
      where b.id = v_b.id
      returning * into v_b;
      if v_b.state = 'open' and v_was <> 'open' then
        v_label := case when v_venture is null then 'provider ' || pg_catalog.substr(v_service, 10)
          else coalesce((select v.name from eva.ventures v where v.id = v_venture), v_venture::text) || ' (' || v_service || ')' end;
        perform eva_private.fn_log_event('system.degradation', v_venture, pg_catalog.jsonb_build_object(
          'circuit', v_service, 'scope', case when v_venture is null then 'provider' else 'venture' end,
          'state', 'open', 'from', v_was, 'reopened', v_was = 'half_open', 'failures', v_b.consecutive_failures,
          'opened_at', v_b.opened_at, 'half_opens_at', v_b.opened_at + v_b.cooldown, 'error', v_b.last_error,
          'breaker_id', v_b.id, 'venture_id', p_venture_id));
        if v_was = 'closed' then
          insert into eva.eva_alerts (venture_id, severity, alert_type, message, details)
          values (v_venture, 'P1', 'circuit_open',
            'Circuit open for ' || v_label || ' after ' || v_b.consecutive_failures || ' consecutive failures: calls stop until '
              || (v_b.opened_at + v_b.cooldown) || ' (last error: ' || coalesce(pg_catalog.left(v_b.last_error, 300), 'none') || ')',
            pg_catalog.jsonb_build_object('breakerId', v_b.id, 'service', v_service, 'failures', v_b.consecutive_failures,
              'halfOpensAt', v_b.opened_at + v_b.cooldown));
        end if;
      end if;
    end if;
    if v_b.state = 'open' then
      v_open := true;
      v_retry := greatest(v_retry, v_b.opened_at + v_b.cooldown);
    end if;
    v_circuits := v_circuits || pg_catalog.jsonb_build_object('service', v_service, 'state', v_b.state,
      'failures', v_b.consecutive_failures);
  end loop;
  return pg_catalog.jsonb_build_object('open', v_open, 'retryAt', v_retry, 'circuits', v_circuits);
end;
$$;
comment on function eva_private.fn_circuit_record(uuid, text[], boolean, text) is
  'Records a call''s outcome on the venture''s and providers'' circuit breakers: success closes and resets; failure counts, re-opens a half-open circuit, opens a closed one at its threshold (system.degradation, P1 alert); closing logs system.recovery.';
grant execute on function eva_private.fn_circuit_record(uuid, text[], boolean, text) to eva_service;
