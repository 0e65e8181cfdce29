-- The scheduler's notion of time: now() plus the offset in
-- eva_private.settings (scheduler.clock_offset). Every due-time computation
-- of the scheduler reads it, so tests and operators move the clock
-- (eva.fn_set_scheduler_clock) instead of waiting. PL/pgSQL, not SQL: a
-- security-definer SQL function is planned on every call (~0.3 ms), and every
-- task contract and circuit breaker reads this clock; this one keeps its plan.
create or replace function eva.fn_scheduler_now()
returns timestamptz
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return pg_catalog.now() + coalesce(
    (select (s.value #>> '{}')::interval from eva_private.settings s where s.key = 'scheduler.clock_offset'),
    interval '0 seconds');
end;
$$;
comment on function eva.fn_scheduler_now() is
  'The scheduler''s time: now() plus the clock offset (settings scheduler.clock_offset); every due time of the scheduler is read against it.';
grant execute on function eva.fn_scheduler_now() to eva_service, eva_chairman;
