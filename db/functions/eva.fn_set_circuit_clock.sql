-- Moves the circuit breakers' clock (on top of the scheduler's): p_advance
-- is added to the offset (forward only), p_reset sets it back to zero.
-- Returns the breakers' new time. The Chairman's (tests act as the Chairman).
create or replace function eva.fn_set_circuit_clock(p_advance interval default null, p_reset boolean default false)
returns timestamptz
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_offset interval;
begin
  if p_advance is null and not coalesce(p_reset, false) then
    raise exception 'advance: give an interval to move the circuit breakers'' clock forward (e.g. 5 minutes), or reset it'
      using errcode = 'EV400';
  end if;
  if p_advance is not null and p_advance <= interval '0' then
    raise exception 'advance: the circuit breakers'' clock moves forward only, not by %', p_advance using errcode = 'EV400';
  end if;
  insert into eva_private.settings (key, value, description)
  values ('circuit.clock_offset', '"0 seconds"', 'Added to the scheduler''s time by eva.fn_circuit_now().')
  on conflict (key) do nothing;
  select case when coalesce(p_reset, false) then interval '0' else (s.value #>> '{}')::interval end + coalesce(p_advance, interval '0')
  into v_offset
  from eva_private.settings s where s.key = 'circuit.clock_offset' for update;
  update eva_private.settings set value = pg_catalog.to_jsonb(v_offset::text) where key = 'circuit.clock_offset';
  perform eva_private.fn_log_event('circuit.clock_moved', null,
    pg_catalog.jsonb_build_object('offset', v_offset::text, 'advance', p_advance::text, 'reset', coalesce(p_reset, false)));
  return eva.fn_circuit_now();
end;
$$;
comment on function eva.fn_set_circuit_clock(interval, boolean) is
  'Moves the circuit breakers'' clock forward by p_advance (on top of the scheduler''s), or back to it (p_reset); returns the breakers'' time.';
grant execute on function eva.fn_set_circuit_clock(interval, boolean) to eva_chairman;
