-- Opens a unit of service work under a task contract in one call (the TS API
-- runUnderContract, src/orchestration/contracts.ts): the contract is created
-- pending from p_spec (eva_private.fn_contract_create), or p_spec.contractId
-- names a pending one to reuse, or — for a saga step — the step's own pending
-- contract (one an open circuit deferred) is reused, so a deferred step runs
-- again under the contract it waited with; its circuits are asked (eva_private.fn_circuit_permit
-- for p_spec.ventureId); allowed → claimed by p_claimed_by and started.
-- Returns { contract (the row), clean } or, when a circuit is open,
-- { deferred: { contractId, retryAt, refusedBy }, contract } with the contract
-- left pending and deferred_until set: the caller re-queues its work for retryAt.
create or replace function eva_private.fn_contract_open(p_spec jsonb, p_claimed_by text default null)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_c eva.agent_task_contracts;
  v_permit jsonb;
begin
  if p_spec ? 'contractId' then
    select * into v_c from eva.agent_task_contracts c where c.id = (p_spec ->> 'contractId')::uuid for update;
    if not found then
      raise exception 'task contract % does not exist', p_spec ->> 'contractId' using errcode = 'EV404';
    end if;
    if v_c.status <> 'pending' then
      raise exception 'task contract % is %: only a pending contract is opened again', v_c.id, v_c.status
        using errcode = 'EV409';
    end if;
  else
    if p_spec ? 'sagaId' and p_spec ? 'sagaStep' then
      select * into v_c from eva.agent_task_contracts c
      where c.saga_id = (p_spec ->> 'sagaId')::uuid and c.saga_step = p_spec ->> 'sagaStep' and c.status = 'pending'
      order by c.created_at desc limit 1
      for update;
    end if;
    if v_c.id is null and coalesce(pg_catalog.jsonb_array_length(case
         when pg_catalog.jsonb_typeof(p_spec -> 'circuits') = 'array' then p_spec -> 'circuits' end), 0) = 0 then
      -- A new contract whose work passes no circuit breaker: created claimed and started in one
      -- statement, its contract.created, .claimed and .started events in another (the same rows and
      -- events as pending → assigned → in_progress).
      v_c := eva_private.fn_contract_create(p_spec, coalesce(p_claimed_by,
        pg_catalog.current_setting('application_name') || ':' || pg_catalog.pg_backend_pid()));
      return pg_catalog.jsonb_build_object('contract', pg_catalog.to_jsonb(v_c), 'clean', true);
    end if;
    if v_c.id is null then
      v_c := eva_private.fn_contract_create(p_spec);
    end if;
  end if;
  v_permit := eva_private.fn_circuit_permit(v_c.venture_id, v_c.circuits, v_c.id);
  if not (v_permit ->> 'allowed')::boolean then
    update eva.agent_task_contracts c
    set deferred_until = (v_permit ->> 'retryAt')::timestamptz, updated_at = pg_catalog.now(),
        context = c.context || pg_catalog.jsonb_build_object('deferredBy', v_permit -> 'refusedBy')
    where c.id = v_c.id
    returning * into v_c;
    return pg_catalog.jsonb_build_object('deferred', pg_catalog.jsonb_build_object('contractId', v_c.id,
      'retryAt', v_permit -> 'retryAt', 'refusedBy', v_permit -> 'refusedBy'), 'contract', pg_catalog.to_jsonb(v_c));
  end if;
  perform eva_private.fn_contract_transition(v_c.id, 'assigned', pg_catalog.jsonb_build_object(
    'claimedBy', coalesce(p_claimed_by, pg_catalog.current_setting('application_name') || ':' || pg_catalog.pg_backend_pid())));
  v_c := eva_private.fn_contract_transition(v_c.id, 'in_progress');
  return pg_catalog.jsonb_build_object('contract', pg_catalog.to_jsonb(v_c), 'clean', (v_permit ->> 'clean')::boolean);
end;
$$;
comment on function eva_private.fn_contract_open(jsonb, text) is
  'Creates (or reuses a pending) task contract, asks its circuit breakers, and claims and starts it; when a circuit is open the contract stays pending, deferred until the circuit half-opens.';
grant execute on function eva_private.fn_contract_open(jsonb, text) to eva_service;
