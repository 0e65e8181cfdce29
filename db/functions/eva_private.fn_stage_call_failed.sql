-- A stage run's model call failed (the caller judged it a circuit failure:
-- transport error, timeout, HTTP 5xx/429; see src/orchestration/circuit-breakers.ts).
-- In one transaction: what the failed attempts cost is charged (p_charge:
-- promptTokens, completionTokens, estimated, provenance), the run's contract
-- fails with the error, the failure is counted on the venture's and providers'
-- breakers (the contract's circuits), and then:
--   a breaker is open now → the run is deferred: the work is ready again, a
--     pending contract waits (deferred_until) and the job is re-queued for when
--     the circuit half-opens — no further attempt burns while it is open
--     (outcome deferred);
--   else the job's last attempt (p_final) → the stage fails (outcome failed);
--   else → the job is retried by graphile-worker (outcome retry).
-- A contract no longer in progress (timed out, superseded) changes nothing (noop).
create or replace function eva_private.fn_stage_call_failed(p_work_id uuid, p_contract_id uuid, p_error text,
  p_final boolean default false, p_charge jsonb default null)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_work eva.venture_stage_work;
  v_contract eva.agent_task_contracts;
  v_breakers jsonb;
  v_next eva.agent_task_contracts;
begin
  select * into v_work from eva.venture_stage_work w where w.id = p_work_id for update;
  select * into v_contract from eva.agent_task_contracts c
  where c.id = p_contract_id and c.stage_work_id = p_work_id for update;
  if v_work.status is distinct from 'in_progress' or v_contract.status is distinct from 'in_progress' then
    return pg_catalog.jsonb_build_object('outcome', 'noop', 'status', coalesce('contract_' || v_contract.status, 'no contract'));
  end if;
  if p_charge is not null and coalesce((p_charge ->> 'promptTokens')::int, 0) + coalesce((p_charge ->> 'completionTokens')::int, 0) > 0 then
    perform eva.fn_charge_tokens(v_work.venture_id, v_work.lifecycle_stage, v_work.id, 'analysis',
      (p_charge ->> 'promptTokens')::int, (p_charge ->> 'completionTokens')::int,
      coalesce((p_charge ->> 'estimated')::boolean, false), coalesce(p_charge -> 'provenance', '{}'::jsonb));
  end if;
  perform eva_private.fn_contract_transition(v_contract.id, 'failed', pg_catalog.jsonb_build_object('error', p_error));
  v_breakers := eva_private.fn_circuit_record(v_work.venture_id, v_contract.circuits, false, p_error);
  if (v_breakers ->> 'open')::boolean then
    update eva.venture_stage_work set status = 'ready' where id = v_work.id;
    v_next := eva_private.fn_contract_create(pg_catalog.jsonb_build_object(
      'kind', 'stage_analysis', 'targetAgent', v_contract.target_agent, 'action', v_contract.action,
      'ventureId', v_work.venture_id, 'stage', v_work.lifecycle_stage, 'stageWorkId', v_work.id,
      'attempt', v_contract.attempt + 1, 'maxAttempts', v_contract.max_attempts, 'tokenBudget', v_contract.token_budget,
      'timeout', v_contract.timeout::text, 'priority', v_contract.priority, 'circuits', pg_catalog.to_jsonb(v_contract.circuits),
      'context', v_contract.context || pg_catalog.jsonb_build_object('deferredBy', v_breakers -> 'circuits')));
    update eva.agent_task_contracts set deferred_until = (v_breakers ->> 'retryAt')::timestamptz where id = v_next.id;
    perform eva_private.fn_defer_stage_run(v_work.id, (v_breakers ->> 'retryAt')::timestamptz);
    return pg_catalog.jsonb_build_object('outcome', 'deferred', 'retryAt', v_breakers -> 'retryAt',
      'contractId', v_next.id, 'circuits', v_breakers -> 'circuits');
  end if;
  if coalesce(p_final, false) then
    perform eva.fn_block_stage_work(v_work.id, 'analysis failed: ' || p_error, 'failed');
    return pg_catalog.jsonb_build_object('outcome', 'failed', 'circuits', v_breakers -> 'circuits');
  end if;
  return pg_catalog.jsonb_build_object('outcome', 'retry', 'circuits', v_breakers -> 'circuits');
end;
$$;
comment on function eva_private.fn_stage_call_failed(uuid, uuid, text, boolean, jsonb) is
  'A stage run''s model call failed: charges its cost, fails the contract, counts the failure on its circuit breakers; defers the run when a circuit opened (no attempt burned while open), fails the stage on the last attempt, else asks for a retry.';
grant execute on function eva_private.fn_stage_call_failed(uuid, uuid, text, boolean, jsonb) to eva_service;
