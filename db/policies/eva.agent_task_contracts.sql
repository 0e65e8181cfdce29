-- Task contracts: everyone signed in reads; services create and run them.
alter table eva.agent_task_contracts enable row level security;

create policy "the Chairman, services and viewers read agent task contracts" on eva.agent_task_contracts
  for select to eva_chairman, eva_service, eva_viewer using (true);
create policy "services add agent task contracts" on eva.agent_task_contracts
  for insert to eva_service
  with check (true);
create policy "services change agent task contracts" on eva.agent_task_contracts
  for update to eva_service
  using (true)
  with check (true);

grant select on eva.agent_task_contracts to eva_chairman, eva_service, eva_viewer;
grant insert (parent_agent, target_agent, venture_id, action, lifecycle_stage, token_budget, timeout, priority, context) on eva.agent_task_contracts to eva_service;
grant update (status, claimed_by, result, started_at, completed_at) on eva.agent_task_contracts to eva_service;
