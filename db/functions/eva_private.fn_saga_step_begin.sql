-- A saga_step job asks whether its step may run: only while the saga is
-- active, the step is current and not already recorded completed or skipped,
-- and no wait on the scheduler clock is pending. Returns what the step needs
-- (the saga and every earlier step's result), or why it must not run.
create or replace function eva_private.fn_saga_step_begin(p_saga_id uuid, p_step text)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_saga eva.eva_sagas;
  v_done eva.eva_saga_steps;
begin
  select * into v_saga from eva.eva_sagas where id = p_saga_id for update;
  if not found then
    return pg_catalog.jsonb_build_object('run', false, 'reason', 'the saga does not exist');
  end if;
  if v_saga.status <> 'active' then
    return pg_catalog.jsonb_build_object('run', false, 'reason', 'the saga is ' || v_saga.status);
  end if;
  if v_saga.current_step <> p_step then
    return pg_catalog.jsonb_build_object('run', false, 'reason', 'the saga is at step ' || v_saga.current_step);
  end if;
  select * into v_done from eva.eva_saga_steps where saga_id = p_saga_id and step = p_step;
  if found and v_done.status in ('completed', 'skipped') then
    return pg_catalog.jsonb_build_object('run', false, 'reason', 'step ' || p_step || ' is already ' || v_done.status);
  end if;
  if v_saga.wait_until is not null and v_saga.wait_until > eva.fn_scheduler_now() then
    return pg_catalog.jsonb_build_object('run', false, 'reason', 'step ' || p_step || ' waits until ' || v_saga.wait_until);
  end if;
  return pg_catalog.jsonb_build_object('run', true,
    'saga', pg_catalog.to_jsonb(v_saga),
    'now', eva.fn_scheduler_now(),
    'attempt', coalesce(v_done.attempts, 0) + 1,
    'results', coalesce((select pg_catalog.jsonb_object_agg(s.step, s.result) from eva.eva_saga_steps s
      where s.saga_id = p_saga_id), '{}'::jsonb));
end;
$$;
comment on function eva_private.fn_saga_step_begin(uuid, text) is
  'Whether a saga step may run now (saga active, step current, not recorded completed/skipped, no pending wait); with the saga, the scheduler time, the attempt and earlier results.';
grant execute on function eva_private.fn_saga_step_begin(uuid, text) to eva_service;
