-- The Chairman gives an analysis agent another tool profile (eva tools
-- assign); audited as a tool.profile_assigned event. The next tool call of
-- the agent is checked against the new profile.
create or replace function eva.fn_tool_assign(p_agent text, p_profile text)
returns eva.analysis_agents
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_old text;
  v_row eva.analysis_agents;
begin
  if not eva.fn_is_chairman() then
    raise exception 'only the Chairman assigns tool profiles' using errcode = 'EV403';
  end if;
  if not exists (select 1 from eva.tool_profiles p where p.name = p_profile) then
    raise exception 'no tool profile named % (profiles: %)', p_profile,
      (select pg_catalog.string_agg(p.name, ', ' order by p.name) from eva.tool_profiles p) using errcode = 'EV404';
  end if;
  select a.profile into v_old from eva.analysis_agents a where a.name = p_agent for update;
  if not found then
    raise exception 'no analysis agent named % (eva tools agents lists them)', p_agent using errcode = 'EV404';
  end if;
  update eva.analysis_agents a set profile = p_profile, updated_at = pg_catalog.now()
  where a.name = p_agent returning * into v_row;
  if v_old is distinct from p_profile then
    perform eva_private.fn_log_event('tool.profile_assigned', null,
      pg_catalog.jsonb_build_object('agent', p_agent, 'from', v_old, 'to', p_profile));
  end if;
  return v_row;
end;
$$;
comment on function eva.fn_tool_assign(text, text) is
  'The Chairman assigns an analysis agent a tool profile (audited as tool.profile_assigned).';
grant execute on function eva.fn_tool_assign(text, text) to eva_chairman;
