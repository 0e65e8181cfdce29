-- The scheduler's notion of time: now() plus the offset in
-- eva_private.settings (scheduler.clock_offset). Every due-time computation
-- of the scheduler reads it, so tests and operators move the clock
-- (eva.fn_set_scheduler_clock) instead of waiting.
create or replace function eva.fn_scheduler_now()
returns timestamptz
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.now() + coalesce(
    (select (s.value #>> '{}')::interval from eva_private.settings s where s.key = 'scheduler.clock_offset'),
    interval '0 seconds');
$$;
comment on function eva.fn_scheduler_now() is
  'The scheduler''s time: now() plus the clock offset (settings scheduler.clock_offset); every due time of the scheduler is read against it.';
grant execute on function eva.fn_scheduler_now() to eva_service, eva_chairman;
