-- Every tool call is recorded, allowed or refused, with what it cost: the
-- audit of what EVA's agents did with their tools.
create or replace function eva_private.fn_record_tool_call(
  p_agent text, p_tool text, p_profile text, p_allowed boolean, p_reason text, p_venture_id uuid,
  p_ok boolean, p_error text, p_duration_ms numeric, p_bytes bigint, p_detail jsonb
)
returns bigint
language sql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
  insert into eva.tool_calls (agent, tool, profile, allowed, reason, venture_id, ok, error, duration_ms, bytes, detail)
  values (p_agent, p_tool, p_profile, p_allowed, p_reason, p_venture_id, case when p_allowed then p_ok end,
    pg_catalog.left(p_error, 2000), p_duration_ms, p_bytes, coalesce(p_detail, '{}'::jsonb))
  returning id;
$$;
comment on function eva_private.fn_record_tool_call(text, text, text, boolean, text, uuid, boolean, text, numeric, bigint, jsonb) is
  'Records one tool call of an analysis agent (allowed or refused, outcome, duration, bytes).';
grant execute on function eva_private.fn_record_tool_call(text, text, text, boolean, text, uuid, boolean, text, numeric, bigint, jsonb) to eva_service;
