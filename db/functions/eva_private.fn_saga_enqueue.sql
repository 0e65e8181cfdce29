-- Queues the job that runs a worker-driven saga's current step: one
-- saga_step job per (saga, step, attempt), keyed so it exists once; the
-- attempt is the step's recorded attempts + 1, so a crashed attempt that
-- recorded nothing is queued again under the same key (the worker's restart
-- re-queues it; graphile-worker keeps one job per key).
-- A step the worker that recorded the one before runs at once itself
-- (eva.saga_chain names the saga, set by eva_private.fn_saga_step_done) gets
-- no job: that worker's job runs it. Should the worker die, its job is freed
-- (eva_private.fn_worker_heartbeat) or the saga queued again (a worker's
-- start), and the job follows the saga to its current step
-- (eva_private.fn_saga_step_begin, p_follow).
create or replace function eva_private.fn_saga_enqueue(p_saga_id uuid)
returns boolean
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
-- graphile_worker.add_job's statements re-planned for one job on every call cost more than their generic plans
-- (as in eva_private.fn_enqueue_stage_run).
set plan_cache_mode = force_generic_plan
as $$
declare
  v_saga eva.eva_sagas;
  v_attempt int;
begin
  select * into v_saga from eva.eva_sagas where id = p_saga_id;
  if not found or v_saga.driver <> 'worker' or v_saga.status <> 'active'
     or (v_saga.wait_until is not null and v_saga.wait_until > eva.fn_scheduler_now()) then
    return false;
  end if;
  if pg_catalog.current_setting('eva.saga_chain', true) = v_saga.id::text then
    return false;
  end if;
  select coalesce(max(s.attempts), 0) + 1 into v_attempt
  from eva.eva_saga_steps s where s.saga_id = v_saga.id and s.step = v_saga.current_step;
  perform graphile_worker.add_job(
    'saga_step',
    pg_catalog.json_build_object('saga_id', v_saga.id, 'step', v_saga.current_step, 'attempt', v_attempt,
      'saga_type', v_saga.saga_type),
    job_key := 'saga_step:' || v_saga.id || ':' || v_saga.current_step || ':' || v_attempt,
    run_at := greatest(pg_catalog.now(), coalesce(v_saga.next_attempt_at, pg_catalog.now())),
    max_attempts := 5
  );
  return true;
end;
$$;
comment on function eva_private.fn_saga_enqueue(uuid) is
  'Queues saga_step for an active worker-driven saga''s current step (job_key saga_step:<saga>:<step>:<attempt>), unless it waits on the scheduler clock or the worker that advanced it runs the step itself. Returns whether it queued.';
