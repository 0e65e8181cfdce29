-- Moves the scheduler's clock: p_advance is added to the offset (forward
-- only), p_reset sets it back to zero. Returns the scheduler's new time.
create or replace function eva.fn_set_scheduler_clock(p_advance interval default null, p_reset boolean default false)
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
    raise exception 'advance: give an interval to move the scheduler''s clock forward (e.g. 7 days), or reset it'
      using errcode = 'EV400';
  end if;
  if p_advance is not null and p_advance <= interval '0' then
    raise exception 'advance: the scheduler''s clock moves forward only, not by %', p_advance using errcode = 'EV400';
  end if;
  select case when coalesce(p_reset, false) then interval '0' else (s.value #>> '{}')::interval end + coalesce(p_advance, interval '0')
  into v_offset
  from eva_private.settings s where s.key = 'scheduler.clock_offset' for update;
  update eva_private.settings set value = pg_catalog.to_jsonb(v_offset::text) where key = 'scheduler.clock_offset';
  perform eva_private.fn_log_event('scheduler.clock_moved', null,
    pg_catalog.jsonb_build_object('offset', v_offset::text, 'advance', p_advance::text, 'reset', coalesce(p_reset, false)));
  return pg_catalog.now() + v_offset;
end;
$$;
comment on function eva.fn_set_scheduler_clock(interval, boolean) is
  'Moves the scheduler''s clock forward by p_advance, or back to real time (p_reset); returns the scheduler''s time.';
grant execute on function eva.fn_set_scheduler_clock(interval, boolean) to eva_chairman;
