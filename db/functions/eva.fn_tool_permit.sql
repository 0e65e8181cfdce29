-- Spec §12: a tool call is allowed only when the calling agent's profile
-- includes the tool. Asked at every call (src/tools/toolbox.ts), never cached
-- at an agent's start, so a profile change applies to the next call.
create or replace function eva.fn_tool_permit(p_agent text, p_tool text)
returns table (allowed boolean, profile text, reason text)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_profile text;
  v_access text;
  v_allowed text;
begin
  select a.profile into v_profile from eva.analysis_agents a where a.name = p_agent;
  if v_profile is null then
    return query select false, null::text,
      pg_catalog.format('no analysis agent named %s: an agent without a tool profile may call no tool (eva tools agents lists them)', p_agent);
    return;
  end if;
  select t.access into v_access from eva.agent_tools t where t.name = p_tool;
  if v_access is null then
    return query select false, v_profile, pg_catalog.format('no tool named %s (eva tools profiles lists them)', p_tool);
    return;
  end if;
  select pg_catalog.string_agg(pt.tool, ', ' order by pt.tool) into v_allowed
  from eva.tool_profile_tools pt where pt.profile = v_profile;
  if exists (select 1 from eva.tool_profile_tools pt where pt.profile = v_profile and pt.tool = p_tool) then
    return query select true, v_profile, pg_catalog.format('the %s profile of %s allows %s', v_profile, p_agent, p_tool);
  else
    return query select false, v_profile, pg_catalog.format(
      '%s has the %s profile, which does not allow %s (a %s tool); it allows: %s',
      p_agent, v_profile, p_tool, v_access, coalesce(v_allowed, 'nothing'));
  end if;
end;
$$;
comment on function eva.fn_tool_permit(text, text) is
  'Whether an analysis agent may call a tool now, under its current tool profile, and why (spec §12).';
grant execute on function eva.fn_tool_permit(text, text) to eva_chairman, eva_service, eva_viewer;
