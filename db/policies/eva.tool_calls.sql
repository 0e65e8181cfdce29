-- Tool calls: the Chairman and services read the record; written by eva_private.fn_record_tool_call only.
alter table eva.tool_calls enable row level security;

create policy "the Chairman and services read tool calls" on eva.tool_calls
  for select to eva_chairman, eva_service using (true);

grant select on eva.tool_calls to eva_chairman, eva_service;
