-- Crash recovery (spec §15): when a worker starts, every active worker-driven
-- saga is queued again at its last persisted step. The job key
-- (saga, step, attempt) makes this a no-op for a saga whose job is queued.
create or replace function eva_private.fn_saga_resume_all()
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_id uuid;
  v_count int := 0;
begin
  perform eva_private.fn_saga_wake_due();
  for v_id in
    select s.id from eva.eva_sagas s
    where s.driver = 'worker' and s.status = 'active' and s.wait_until is null
    order by s.started_at
  loop
    if eva_private.fn_saga_enqueue(v_id) then
      v_count := v_count + 1;
    end if;
  end loop;
  return v_count;
end;
$$;
comment on function eva_private.fn_saga_resume_all() is
  'Crash recovery: queues the current step of every active worker-driven saga (job_key dedups); called when a worker starts. Returns the count queued.';
grant execute on function eva_private.fn_saga_resume_all() to eva_service;
