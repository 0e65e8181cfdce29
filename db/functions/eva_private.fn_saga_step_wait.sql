-- A step that must wait (the retirement notice period) parks the saga until a
-- scheduler time; the saga_wake tick re-queues it when the scheduler clock
-- reaches it. What the step did so far stays in the saga's context.
create or replace function eva_private.fn_saga_step_wait(
  p_saga_id uuid,
  p_step text,
  p_until timestamptz,
  p_progress jsonb default '{}'
)
returns eva.eva_sagas
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_saga eva.eva_sagas;
begin
  if p_until is null then
    raise exception 'a wait needs a time' using errcode = 'EV400';
  end if;
  select * into v_saga from eva.eva_sagas where id = p_saga_id for update;
  if not found then
    raise exception 'saga % does not exist', p_saga_id using errcode = 'EV404';
  end if;
  if v_saga.status <> 'active' or v_saga.current_step <> p_step then
    raise exception 'saga % is % at step %: step % cannot wait', p_saga_id, v_saga.status, v_saga.current_step, p_step
      using errcode = 'EV409';
  end if;
  update eva.eva_sagas
  set wait_until = p_until, updated_at = pg_catalog.now(),
      context = context || pg_catalog.jsonb_build_object('waiting', pg_catalog.jsonb_build_object(
        'step', p_step, 'until', p_until, 'progress', coalesce(p_progress, '{}'::jsonb))),
      timeout_at = case when timeout_at is not null then greatest(timeout_at, p_until + interval '1 day') end
  where id = p_saga_id returning * into v_saga;
  perform eva_private.fn_log_event('saga.waiting', v_saga.venture_id, pg_catalog.jsonb_build_object(
    'saga_id', v_saga.id, 'saga_type', v_saga.saga_type, 'step', p_step, 'until', p_until));
  return v_saga;
end;
$$;
comment on function eva_private.fn_saga_step_wait(uuid, text, timestamptz, jsonb) is
  'Parks an active saga''s current step until a scheduler time (progress kept in context.waiting); eva_private.fn_saga_wake_due re-queues it.';
grant execute on function eva_private.fn_saga_step_wait(uuid, text, timestamptz, jsonb) to eva_service;
