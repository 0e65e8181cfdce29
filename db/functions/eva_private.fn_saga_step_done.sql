-- A step's success (completed) or deliberate skip (skipped, with the reason in
-- its result): recorded once, and the saga moves to its next step, or
-- completes after its last one (saga.completed). Recording a step that is not
-- current, or is already recorded done, is refused (EV409): a late duplicate
-- of a crashed attempt changes nothing.
-- The step's task contract (p_contract_id, opened by
-- eva_private.fn_saga_step_begin) completes in the same transaction, its call
-- recorded on the circuit breakers when p_call says so (eva_private.fn_contract_finish;
-- one the sweep already timed out stays as it is). p_chain: the caller runs
-- the next step itself, on the connection that ran this one, without waiting
-- for a job; the next step's saga_step job is still queued, as a safety net,
-- but for later (eva_private.fn_saga_enqueue), and is removed when that step
-- is recorded. A step's own queued job not yet taken is removed here too.
-- (The four-argument version came first.)
drop function if exists eva_private.fn_saga_step_done(uuid, text, text, jsonb);
create or replace function eva_private.fn_saga_step_done(
  p_saga_id uuid,
  p_step text,
  p_status text,
  p_result jsonb default '{}',
  p_contract_id uuid default null,
  p_call text default null,
  p_chain boolean default false
)
returns eva.eva_sagas
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_saga eva.eva_sagas;
  v_pos int;
  v_next text;
begin
  if p_status is null or p_status not in ('completed', 'skipped') then
    raise exception 'a step is done as completed or skipped, not %', coalesce(p_status, 'null') using errcode = 'EV400';
  end if;
  select * into v_saga from eva.eva_sagas where id = p_saga_id for update;
  if not found then
    raise exception 'saga % does not exist', p_saga_id using errcode = 'EV404';
  end if;
  if v_saga.status <> 'active' or v_saga.current_step <> p_step then
    raise exception 'saga % is % at step %: step % cannot be recorded now', p_saga_id, v_saga.status, v_saga.current_step, p_step
      using errcode = 'EV409';
  end if;
  if exists (select 1 from eva.eva_saga_steps s where s.saga_id = p_saga_id and s.step = p_step
             and s.status in ('completed', 'skipped')) then
    raise exception 'step % of saga % is already recorded', p_step, p_saga_id using errcode = 'EV409';
  end if;
  if p_contract_id is not null then
    perform eva_private.fn_contract_finish(p_contract_id, 'completed',
      pg_catalog.jsonb_build_object('outcome', p_status), null, p_call);
  end if;
  insert into eva.eva_saga_steps as s (saga_id, venture_id, step, status, attempts, result, completed_at)
  values (p_saga_id, v_saga.venture_id, p_step, p_status, 1, coalesce(p_result, '{}'::jsonb), pg_catalog.now())
  on conflict (saga_id, step) do update
    set status = excluded.status, attempts = s.attempts + 1, result = excluded.result, error = null,
        completed_at = excluded.completed_at, updated_at = pg_catalog.now();

  v_pos := pg_catalog.array_position(v_saga.steps, p_step);
  -- The next step not already recorded (skipped from the start).
  select u.s into v_next from pg_catalog.unnest(v_saga.steps) with ordinality u(s, n)
  where u.n > coalesce(v_pos, 0)
    and not exists (select 1 from eva.eva_saga_steps d where d.saga_id = p_saga_id and d.step = u.s
                    and d.status in ('completed', 'skipped'))
  order by u.n limit 1;

  perform eva_private.fn_log_event('saga.step', v_saga.venture_id, pg_catalog.jsonb_build_object(
    'saga_id', v_saga.id, 'saga_type', v_saga.saga_type, 'step', p_step, 'status', p_status, 'next', v_next));
  if v_next is null then
    update eva.eva_sagas
    set status = 'completed', completed_at = pg_catalog.now(), step_attempts = 0, next_attempt_at = null,
        wait_until = null, last_error = null, updated_at = pg_catalog.now()
    where id = p_saga_id returning * into v_saga;
    perform eva_private.fn_log_event('saga.completed', v_saga.venture_id, pg_catalog.jsonb_build_object(
      'saga_id', v_saga.id, 'saga_type', v_saga.saga_type, 'steps', v_saga.steps));
  else
    if coalesce(p_chain, false) then
      perform pg_catalog.set_config('eva.saga_chain', p_saga_id::text, true);
    end if;
    update eva.eva_sagas
    set current_step = v_next, step_attempts = 0, next_attempt_at = null, wait_until = null, last_error = null,
        updated_at = pg_catalog.now(),
        -- Each step has a day to start (retirement); the notification wait extends it.
        timeout_at = case when timeout_at is not null then greatest(timeout_at, eva.fn_scheduler_now() + interval '1 day') end
    where id = p_saga_id returning * into v_saga;
    if coalesce(p_chain, false) then
      perform pg_catalog.set_config('eva.saga_chain', '', true);
    end if;
  end if;
  return v_saga;
end;
$$;
comment on function eva_private.fn_saga_step_done(uuid, text, text, jsonb, uuid, text, boolean) is
  'Records the current step completed or skipped (result), completes its task contract, and advances the saga to its next step (p_chain: the caller runs it, no job is queued), or completes it (saga.completed). EV409 when the step is not current or already done.';
grant execute on function eva_private.fn_saga_step_done(uuid, text, text, jsonb, uuid, text, boolean) to eva_service;
