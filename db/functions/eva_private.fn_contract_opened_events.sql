-- The three events of a contract opened already claimed and started (a saga
-- step's contract, written in one statement by fn_saga_step_begin and
-- fn_saga_step_next): contract.created, contract.claimed, contract.started,
-- with the payloads fn_contract_create and fn_contract_transition log. k gives
-- their order. A plain SQL function with no SET clause (every name is
-- qualified), so the planner inlines it into the statement that logs them: with
-- a SET clause it was called and planned anew for every contract (~0.4 ms).
create or replace function eva_private.fn_contract_opened_events(n eva.agent_task_contracts)
returns table (k int, t text, p jsonb)
language sql
stable
as $$
  select x.k, x.t, x.p
  from (values
    (1, 'contract.created', pg_catalog.jsonb_build_object('contract_id', n.id,
      'kind', n.kind, 'action', n.action, 'parent_agent', n.parent_agent, 'target_agent', n.target_agent,
      'stage', n.lifecycle_stage, 'attempt', n.attempt, 'priority', n.priority, 'token_budget', n.token_budget,
      'timeout', n.timeout::text, 'saga_id', n.saga_id, 'saga_step', n.saga_step)),
    (2, 'contract.claimed', pg_catalog.jsonb_build_object('contract_id', n.id,
      'kind', n.kind, 'action', n.action, 'target_agent', n.target_agent, 'stage', n.lifecycle_stage,
      'attempt', n.attempt, 'from', 'pending', 'claimed_by', n.claimed_by, 'timeout_at', n.timeout_at)),
    (3, 'contract.started', pg_catalog.jsonb_build_object('contract_id', n.id,
      'kind', n.kind, 'action', n.action, 'target_agent', n.target_agent, 'stage', n.lifecycle_stage,
      'attempt', n.attempt, 'from', 'assigned'))) x(k, t, p)
$$;
comment on function eva_private.fn_contract_opened_events(eva.agent_task_contracts) is
  'The created, claimed and started events of a contract opened in one statement (saga steps), in order.';
revoke all on function eva_private.fn_contract_opened_events(eva.agent_task_contracts) from public;
