-- Tool policy (spec §12): everyone signed in reads; the Chairman changes an agent's profile through eva.fn_tool_assign.
alter table eva.analysis_agents enable row level security;

create policy "the Chairman, services and viewers read analysis agents" on eva.analysis_agents
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.analysis_agents to eva_chairman, eva_service, eva_viewer;
