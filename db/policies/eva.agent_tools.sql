-- Tool policy (spec §12): everyone signed in reads; the Chairman changes an agent's profile through eva.fn_tool_assign.
alter table eva.agent_tools enable row level security;

create policy "the Chairman, services and viewers read agent tools" on eva.agent_tools
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.agent_tools to eva_chairman, eva_service, eva_viewer;
