-- A worker-driven saga that starts, advances, retries, resumes or stops
-- waiting gets its step's job in the same transaction.
create or replace function eva_private.tg_eva_sagas_enqueue()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if new.driver = 'worker' and new.status = 'active' and new.wait_until is null
     and (tg_op = 'INSERT' or old.status is distinct from new.status or old.current_step is distinct from new.current_step
       or old.step_attempts is distinct from new.step_attempts or old.wait_until is not null) then
    perform eva_private.fn_saga_enqueue(new.id);
  end if;
  return null;
end;
$$;
comment on function eva_private.tg_eva_sagas_enqueue() is
  'Trigger: queues the saga_step job of a worker-driven saga that became active, advanced, is retried or stopped waiting.';

-- The WHEN leaves out, without a call, what never queues: a saga not active on the worker, or
-- waiting, and the move to its next step made by the job that runs that step itself
-- (eva.saga_chain, set by eva_private.fn_saga_step_done and fn_saga_step_next around it).
create or replace trigger _500_enqueue_step after insert or update on eva.eva_sagas
  for each row
  when (new.driver = 'worker' and new.status = 'active' and new.wait_until is null
        and pg_catalog.current_setting('eva.saga_chain', true) is distinct from new.id::text)
  execute function eva_private.tg_eva_sagas_enqueue();
