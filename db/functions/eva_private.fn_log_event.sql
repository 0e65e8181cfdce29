-- One place writes to the event log, so every event has the same shape.
-- PL/pgSQL, not SQL: a SQL function is parsed and planned on every call, and
-- a stage run logs half a dozen events; this one keeps its plan per session.
create or replace function eva_private.fn_log_event(p_event_type text, p_venture_id uuid, p_payload jsonb)
returns bigint
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_id bigint;
begin
  insert into eva.eva_event_log (event_type, venture_id, payload, actor)
  values (p_event_type, p_venture_id, coalesce(p_payload, '{}'::jsonb), eva_private.fn_caller_role())
  returning id into v_id;
  return v_id;
end;
$$;
comment on function eva_private.fn_log_event(text, uuid, jsonb) is 'Appends an event to eva.eva_event_log (NOTIFYed on eva_events).';
