-- Up Migration

-- Saga steps run under task contracts (src/orchestration/sagas/engine.ts
-- runSagaStep); a step an open circuit deferred keeps its pending contract
-- and runs again under it (eva_private.fn_contract_open), found by saga and step.
create index agent_task_contracts_saga_step_idx on eva.agent_task_contracts (saga_id, saga_step)
  where saga_id is not null;

-- A retired venture's post-mortem is a model call like any other: its tokens
-- are charged to the venture (eva_private.fn_record_retrospective).
alter table eva.venture_budget_transactions
  drop constraint venture_budget_transactions_purpose_check,
  add constraint venture_budget_transactions_purpose_check
    check (purpose in ('analysis', 'devils_advocate', 'ideation', 'content', 'retrospective'));

-- Down Migration

delete from eva.venture_budget_transactions where purpose = 'retrospective';
alter table eva.venture_budget_transactions
  drop constraint venture_budget_transactions_purpose_check,
  add constraint venture_budget_transactions_purpose_check
    check (purpose in ('analysis', 'devils_advocate', 'ideation', 'content'));

drop index eva.agent_task_contracts_saga_step_idx;
