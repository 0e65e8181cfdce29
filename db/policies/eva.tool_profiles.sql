-- Tool policy (spec §12): everyone signed in reads; the Chairman changes an agent's profile through eva.fn_tool_assign.
alter table eva.tool_profiles enable row level security;

create policy "the Chairman, services and viewers read tool profiles" on eva.tool_profiles
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.tool_profiles to eva_chairman, eva_service, eva_viewer;
