-- The circuit breakers' time: the scheduler's time (eva.fn_scheduler_now())
-- plus the breakers' own offset (settings circuit.clock_offset), so a test or
-- an operator can let a cooldown pass (eva.fn_set_circuit_clock) without
-- making scheduled ops cycles or contract timeouts due. PL/pgSQL to keep its plan.
create or replace function eva.fn_circuit_now()
returns timestamptz
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return eva.fn_scheduler_now() + coalesce(
    (select (s.value #>> '{}')::interval from eva_private.settings s where s.key = 'circuit.clock_offset'),
    interval '0 seconds');
end;
$$;
comment on function eva.fn_circuit_now() is
  'The circuit breakers'' time: the scheduler''s time plus the breakers'' clock offset (settings circuit.clock_offset); cooldowns are read against it.';
grant execute on function eva.fn_circuit_now() to eva_service, eva_chairman, eva_viewer;
