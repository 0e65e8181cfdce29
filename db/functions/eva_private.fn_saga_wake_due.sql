-- The saga_wake tick: worker sagas whose wait has come due on the scheduler
-- clock are queued again (the enqueue trigger sees wait_until cleared).
create or replace function eva_private.fn_saga_wake_due()
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_count int;
begin
  with due as (
    update eva.eva_sagas s set wait_until = null, updated_at = pg_catalog.now()
    where s.driver = 'worker' and s.status = 'active' and s.wait_until <= eva.fn_scheduler_now()
    returning s.id
  )
  select pg_catalog.count(*)::int into v_count from due;
  return v_count;
end;
$$;
comment on function eva_private.fn_saga_wake_due() is
  'Tick: re-queues the steps of worker-driven sagas whose wait (wait_until, scheduler time) is due. Returns the count.';
grant execute on function eva_private.fn_saga_wake_due() to eva_service;
