-- Task contracts: everyone signed in reads. Nobody writes them directly: a
-- contract moves only through EVA's functions (eva_private.fn_contract_create,
-- fn_contract_transition, fn_contract_open/finish, the stage-run functions and
-- the timeout sweep), which services call, so its lifecycle cannot be skipped.
alter table eva.agent_task_contracts enable row level security;

create policy "the Chairman, services and viewers read agent task contracts" on eva.agent_task_contracts
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.agent_task_contracts to eva_chairman, eva_service, eva_viewer;
