-- A step's attempt failed. Within the retry budget (max_retries failed
-- attempts since the step became current or the saga was resumed) the step is
-- queued again after a backoff (settings saga.retry_base × 2^(n-1), at most 5
-- minutes); past it the saga's failure rule applies: pause (with the reason,
-- and a P1 alert so the Chairman is told) or fail. p_retry false skips the
-- retries (an error a retry cannot fix).
create or replace function eva_private.fn_saga_step_failed(
  p_saga_id uuid,
  p_step text,
  p_error text,
  p_on_exhausted text default 'pause',
  p_retry boolean default true,
  p_result jsonb default '{}'
)
returns eva.eva_sagas
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_saga eva.eva_sagas;
  v_attempts int;
  v_base interval;
  v_reason text;
begin
  if p_on_exhausted is null or p_on_exhausted not in ('pause', 'fail') then
    raise exception 'a saga whose step keeps failing pauses or fails, not %', coalesce(p_on_exhausted, 'null')
      using errcode = 'EV400';
  end if;
  select * into v_saga from eva.eva_sagas where id = p_saga_id for update;
  if not found then
    raise exception 'saga % does not exist', p_saga_id using errcode = 'EV404';
  end if;
  if v_saga.status <> 'active' or v_saga.current_step <> p_step then
    raise exception 'saga % is % at step %: a failure of step % is not recorded', p_saga_id, v_saga.status,
      v_saga.current_step, p_step using errcode = 'EV409';
  end if;
  insert into eva.eva_saga_steps as s (saga_id, venture_id, step, status, attempts, result, error)
  values (p_saga_id, v_saga.venture_id, p_step, 'failed', 1, coalesce(p_result, '{}'::jsonb), p_error)
  on conflict (saga_id, step) do update
    set status = 'failed', attempts = s.attempts + 1, result = excluded.result, error = excluded.error,
        updated_at = pg_catalog.now()
  returning attempts into v_attempts;
  perform eva_private.fn_log_event('saga.step_failed', v_saga.venture_id, pg_catalog.jsonb_build_object(
    'saga_id', v_saga.id, 'saga_type', v_saga.saga_type, 'step', p_step, 'attempt', v_attempts, 'error', p_error));

  if coalesce(p_retry, true) and v_saga.step_attempts + 1 <= v_saga.max_retries then
    select (s.value #>> '{}')::interval into v_base from eva_private.settings s where s.key = 'saga.retry_base';
    update eva.eva_sagas
    set step_attempts = v_saga.step_attempts + 1, retry_count = retry_count + 1, last_error = p_error,
        next_attempt_at = pg_catalog.now() + least(interval '5 minutes',
          coalesce(v_base, interval '1 second') * pg_catalog.power(2, v_saga.step_attempts)),
        updated_at = pg_catalog.now()
    where id = p_saga_id returning * into v_saga;
    return v_saga;
  end if;

  v_reason := 'step ' || p_step || ' failed' || case when coalesce(p_retry, true)
    then ' after ' || (v_saga.step_attempts + 1) || ' attempts' else '' end || ': ' || coalesce(p_error, 'no error given');
  if p_on_exhausted = 'pause' then
    update eva.eva_sagas set last_error = p_error where id = p_saga_id;
    return eva.fn_saga_pause(p_saga_id, v_reason);
  end if;
  return eva_private.fn_saga_fail(p_saga_id, v_reason);
end;
$$;
comment on function eva_private.fn_saga_step_failed(uuid, text, text, text, boolean, jsonb) is
  'Records a failed attempt of the current step: retried with backoff within max_retries, then the saga pauses (reason, P1 alert) or fails as p_on_exhausted says.';
grant execute on function eva_private.fn_saga_step_failed(uuid, text, text, text, boolean, jsonb) to eva_service;
