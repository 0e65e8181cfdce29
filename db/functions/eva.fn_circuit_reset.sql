-- The Chairman closes a circuit by hand (eva circuits reset): the venture's
-- breakers (all, or p_service), or a provider's (p_venture_id null, p_service
-- provider:<host>). Failures reset, its open alert resolved; audited as a
-- circuit.reset event with the Chairman as actor, and system.recovery for a
-- breaker that was not closed. Returns how many breakers were reset (0: none
-- exists yet, nothing to do).
create or replace function eva.fn_circuit_reset(p_venture_id uuid, p_service text default null)
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_b record;
  v_count int := 0;
begin
  if p_venture_id is null and coalesce(p_service, '') not like 'provider:%' then
    raise exception 'name a venture, or a provider''s breaker as --service provider:<host>' using errcode = 'EV400';
  end if;
  for v_b in
    select b.id, b.venture_id, b.service, b.state, b.consecutive_failures from eva.venture_circuit_breakers b
    where b.venture_id is not distinct from p_venture_id and (p_service is null or b.service = p_service)
    for update
  loop
    update eva.venture_circuit_breakers
    set state = 'closed', consecutive_failures = 0, opened_at = null, trial_started_at = null, trial_contract_id = null,
        updated_at = pg_catalog.now()
    where id = v_b.id;
    update eva.eva_alerts a set status = 'resolved', resolved_at = pg_catalog.now()
    where a.alert_type = 'circuit_open' and a.status <> 'resolved' and a.details ->> 'breakerId' = v_b.id::text;
    perform eva_private.fn_log_event('circuit.reset', v_b.venture_id, pg_catalog.jsonb_build_object(
      'circuit', v_b.service, 'from', v_b.state, 'failures', v_b.consecutive_failures));
    if v_b.state <> 'closed' then
      perform eva_private.fn_log_event('system.recovery', v_b.venture_id, pg_catalog.jsonb_build_object(
        'circuit', v_b.service, 'state', 'closed', 'from', v_b.state, 'reset', true));
    end if;
    v_count := v_count + 1;
  end loop;
  if v_count = 0 then
    return 0;
  end if;
  -- Stage runs waiting on these circuits may go now.
  perform eva_private.fn_enqueue_stage_run(c.stage_work_id)
  from eva.agent_task_contracts c
  join eva.venture_stage_work w on w.id = c.stage_work_id and w.status = 'ready'
  where c.status = 'pending' and c.kind = 'stage_analysis' and c.deferred_until is not null
    and (p_venture_id is null or c.venture_id = p_venture_id)
    and not exists (select 1 from graphile_worker._private_jobs j
                    where j.key = 'stage_run:' || w.id and j.locked_at is not null);
  update eva.agent_task_contracts c set deferred_until = null
  where c.status = 'pending' and c.kind = 'stage_analysis' and c.deferred_until is not null
    and (p_venture_id is null or c.venture_id = p_venture_id);
  return v_count;
end;
$$;
comment on function eva.fn_circuit_reset(uuid, text) is
  'The Chairman closes a venture''s circuit breakers (or one service''s, or a provider''s): failures reset, alert resolved, audited (circuit.reset, system.recovery); waiting stage runs are queued.';
grant execute on function eva.fn_circuit_reset(uuid, text) to eva_chairman;
