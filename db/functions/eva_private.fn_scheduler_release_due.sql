-- The due-work tick: scheduled stage work whose due time has come (scheduler
-- time) becomes ready; the ready trigger queues its stage_run. Work of a
-- venture that is not active waits. Returns how many became ready.
create or replace function eva_private.fn_scheduler_release_due()
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz := eva.fn_scheduler_now();
  v_count int;
begin
  perform pg_catalog.set_config('eva.change_reason', 'scheduled work due', true);
  with due as (
    update eva.venture_stage_work w set status = 'ready'
    from eva.ventures v
    where w.status = 'scheduled' and w.due_at <= v_now and v.id = w.venture_id and v.status = 'active'
    returning w.id, w.venture_id, w.lifecycle_stage, w.run_number, w.due_at
  ), logged as (
    select eva_private.fn_log_event('schedule.work_due', d.venture_id, pg_catalog.jsonb_build_object('workId', d.id,
      'stage', d.lifecycle_stage, 'run', d.run_number, 'dueAt', d.due_at, 'at', v_now))
    from due d
  )
  select pg_catalog.count(*)::int into v_count from logged;
  perform pg_catalog.set_config('eva.change_reason', '', true);
  return v_count;
end;
$$;
comment on function eva_private.fn_scheduler_release_due() is
  'Tick: scheduled stage work of active ventures whose due_at has come (eva.fn_scheduler_now()) becomes ready (its stage_run queued by trigger); returns the count.';
grant execute on function eva_private.fn_scheduler_release_due() to eva_service;
