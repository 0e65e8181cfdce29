-- Tool policy (spec §12): everyone signed in reads; the Chairman changes an agent's profile through eva.fn_tool_assign.
alter table eva.tool_profile_tools enable row level security;

create policy "the Chairman, services and viewers read tool profile tools" on eva.tool_profile_tools
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.tool_profile_tools to eva_chairman, eva_service, eva_viewer;
