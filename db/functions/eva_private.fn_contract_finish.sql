-- Ends an in-progress task contract opened by eva_private.fn_contract_open:
-- completed with p_result, or failed with p_error; p_call says what its
-- external call came to for the circuit breakers (succeeded, failed, or null:
-- no call made, the breakers unchanged). A contract that is no longer in
-- progress (the sweep timed it out) is not changed: the late outcome is
-- ignored and { late: true } returned. Returns { contract, late, circuits }.
create or replace function eva_private.fn_contract_finish(p_contract_id uuid, p_status eva.contract_status,
  p_result jsonb default null, p_error text default null, p_call text default null)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_c eva.agent_task_contracts;
  v_breakers jsonb;
begin
  if p_status not in ('completed', 'failed') then
    raise exception 'a contract finishes as completed or failed, not %', p_status using errcode = 'EV400';
  end if;
  if p_call is not null and p_call not in ('succeeded', 'failed') then
    raise exception 'a call succeeded or failed, not %', p_call using errcode = 'EV400';
  end if;
  select * into v_c from eva.agent_task_contracts c where c.id = p_contract_id for update;
  if not found then
    raise exception 'task contract % does not exist', p_contract_id using errcode = 'EV404';
  end if;
  if v_c.status in ('timeout', 'failed', 'completed') then
    return pg_catalog.jsonb_build_object('late', true, 'contract', pg_catalog.to_jsonb(v_c));
  end if;
  v_c := eva_private.fn_contract_transition(v_c.id, p_status,
    case when p_status = 'completed' then pg_catalog.jsonb_build_object('result', coalesce(p_result, 'null'::jsonb))
         else pg_catalog.jsonb_build_object('error', coalesce(p_error, 'failed')) end);
  if p_call is not null then
    v_breakers := eva_private.fn_circuit_record(v_c.venture_id, v_c.circuits, p_call = 'succeeded', p_error);
  end if;
  return pg_catalog.jsonb_build_object('late', false, 'contract', pg_catalog.to_jsonb(v_c),
    'circuits', coalesce(v_breakers -> 'circuits', '[]'::jsonb), 'open', coalesce((v_breakers ->> 'open')::boolean, false),
    'retryAt', v_breakers -> 'retryAt');
end;
$$;
comment on function eva_private.fn_contract_finish(uuid, eva.contract_status, jsonb, text, text) is
  'Completes or fails an in-progress task contract and records its call on the circuit breakers; a contract the sweep already timed out is left as it is (late: true).';
grant execute on function eva_private.fn_contract_finish(uuid, eva.contract_status, jsonb, text, text) to eva_service;
