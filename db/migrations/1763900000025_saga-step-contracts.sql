-- Up Migration

-- Saga steps run under task contracts (src/orchestration/sagas/engine.ts
-- runSagaStep); a step an open circuit deferred keeps its pending contract
-- and runs again under it (eva_private.fn_contract_open), found by saga and step.
create index agent_task_contracts_saga_step_idx on eva.agent_task_contracts (saga_id, saga_step)
  where saga_id is not null;

-- Down Migration

drop index eva.agent_task_contracts_saga_step_idx;
