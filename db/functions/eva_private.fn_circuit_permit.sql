-- Asks the circuit breakers whether a call may go out (spec §3): for each
-- service, the venture's breaker (p_venture, service) or, for a service named
-- provider:<host>, the provider's (no venture). Per breaker, on its own clock
-- (eva.fn_circuit_now()):
--   closed (or no row yet)             → allowed;
--   open, within its cooldown          → refused until opened_at + cooldown;
--   open past its cooldown             → half-open: this call is the one trial;
--   half-open with a trial outstanding → refused until the trial is a cooldown
--                                        old (an unanswered trial is granted again).
-- All or nothing: a refusal by any breaker grants no trial on the others.
-- Returns { allowed, retryAt (when refused), refusedBy [services], circuits
-- [{ service, state, failures, trial }], clean (every breaker closed with no
-- failures: a success changes nothing and need not be recorded) }.
create or replace function eva_private.fn_circuit_permit(p_venture_id uuid, p_services text[], p_holder uuid default null)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz;
  v_b record;
  v_retry timestamptz;
  v_refused text[] := '{}';
  v_trials uuid[] := '{}';
  v_circuits jsonb := '[]';
  v_clean boolean := true;
  v_locked boolean;
begin
  if coalesce(pg_catalog.cardinality(p_services), 0) = 0 then
    return pg_catalog.jsonb_build_object('allowed', true, 'clean', true, 'circuits', '[]'::jsonb);
  end if;
  -- The common case, every breaker closed (or never failed): no lock, no write.
  select coalesce(pg_catalog.bool_and(b.consecutive_failures = 0), true), coalesce(pg_catalog.bool_or(b.state <> 'closed'), false)
  into v_clean, v_locked
  from eva.venture_circuit_breakers b
  join pg_catalog.unnest(p_services) s(service) on b.service = s.service
    and b.venture_id is not distinct from case when s.service like 'provider:%' then null else p_venture_id end;
  if not v_locked then
    return pg_catalog.jsonb_build_object('allowed', true, 'clean', v_clean, 'circuits', '[]'::jsonb);
  end if;
  v_clean := false;
  v_now := eva.fn_circuit_now();
  for v_b in
    select b.* from eva.venture_circuit_breakers b
    join pg_catalog.unnest(p_services) s(service) on b.service = s.service
      and b.venture_id is not distinct from case when s.service like 'provider:%' then null else p_venture_id end
    order by b.id
    for update of b
  loop
    if v_b.state = 'open' and v_now < v_b.opened_at + v_b.cooldown then
      v_refused := v_refused || v_b.service;
      v_retry := greatest(v_retry, v_b.opened_at + v_b.cooldown);
    elsif v_b.state = 'half_open' and v_b.trial_started_at is not null and v_now < v_b.trial_started_at + v_b.cooldown then
      v_refused := v_refused || v_b.service;
      v_retry := greatest(v_retry, v_b.trial_started_at + v_b.cooldown);
    elsif v_b.state in ('open', 'half_open') then
      v_trials := v_trials || v_b.id;
    end if;
    v_circuits := v_circuits || pg_catalog.jsonb_build_object('service', v_b.service, 'state', v_b.state,
      'failures', v_b.consecutive_failures, 'trial', v_b.state <> 'closed' and not (v_b.service = any (v_refused)));
  end loop;
  if pg_catalog.cardinality(v_refused) > 0 then
    return pg_catalog.jsonb_build_object('allowed', false, 'retryAt', v_retry, 'refusedBy', pg_catalog.to_jsonb(v_refused),
      'circuits', v_circuits, 'clean', false);
  end if;
  if pg_catalog.cardinality(v_trials) > 0 then
    for v_b in
      update eva.venture_circuit_breakers b
      set state = 'half_open', trial_started_at = v_now, trial_contract_id = p_holder, updated_at = pg_catalog.now()
      where b.id = any (v_trials)
      returning b.*, (select o.state from eva.venture_circuit_breakers o where o.id = b.id) as was
    loop
      if v_b.was = 'open' then
        -- open → half_open: the trial call is going out.
        perform eva_private.fn_log_event('system.health_change', v_b.venture_id, pg_catalog.jsonb_build_object(
          'circuit', v_b.service, 'state', 'half_open', 'from', 'open', 'trial_contract_id', p_holder,
          'opened_at', v_b.opened_at, 'failures', v_b.consecutive_failures));
      end if;
    end loop;
  end if;
  return pg_catalog.jsonb_build_object('allowed', true, 'clean', v_clean, 'circuits', v_circuits);
end;
$$;
comment on function eva_private.fn_circuit_permit(uuid, text[], uuid) is
  'Asks the venture''s and providers'' circuit breakers whether a call may go out: closed allows; open refuses until its cooldown passed, then grants one half-open trial at a time. Returns allowed, retryAt, refusedBy, circuits, clean.';
grant execute on function eva_private.fn_circuit_permit(uuid, text[], uuid) to eva_service;
