-- Starts a saga on the engine: its ordered steps, who drives them (worker:
-- saga_step jobs; sql: the functions that own the saga), and steps skipped
-- from the start with their reasons (recorded skipped, never run).
create or replace function eva_private.fn_saga_start(
  p_venture_id uuid,
  p_type eva.saga_type,
  p_steps text[],
  p_driver text,
  p_context jsonb default '{}',
  p_timeout interval default null,
  p_skip jsonb default '{}'
)
returns uuid
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_id uuid;
  v_first text;
  v_step text;
begin
  if p_steps is null or pg_catalog.cardinality(p_steps) = 0 then
    raise exception 'a saga needs at least one step' using errcode = 'EV400';
  end if;
  if p_driver is null or p_driver not in ('sql', 'worker') then
    raise exception 'a saga is driven by the worker or by SQL, not %', coalesce(p_driver, 'null') using errcode = 'EV400';
  end if;
  select s into v_first from pg_catalog.unnest(p_steps) with ordinality u(s, n)
  where not coalesce(p_skip, '{}'::jsonb) ? s order by n limit 1;
  insert into eva.eva_sagas (venture_id, saga_type, current_step, status, context, timeout_at, steps, driver)
  values (p_venture_id, p_type, coalesce(v_first, p_steps[pg_catalog.cardinality(p_steps)]),
    case when v_first is null then 'completed' else 'active' end::eva.saga_status, coalesce(p_context, '{}'::jsonb),
    case when p_timeout is not null then eva.fn_scheduler_now() + p_timeout end, p_steps, p_driver)
  returning id into v_id;
  for v_step in select k from pg_catalog.jsonb_object_keys(coalesce(p_skip, '{}'::jsonb)) k loop
    insert into eva.eva_saga_steps (saga_id, venture_id, step, status, attempts, result, completed_at)
    values (v_id, p_venture_id, v_step, 'skipped', 1, pg_catalog.jsonb_build_object('reason', p_skip ->> v_step),
      pg_catalog.now());
  end loop;
  perform eva_private.fn_log_event('saga.started', p_venture_id, pg_catalog.jsonb_build_object(
    'saga_id', v_id, 'saga_type', p_type, 'steps', p_steps, 'skipped', coalesce(p_skip, '{}'::jsonb), 'driver', p_driver));
  return v_id;
end;
$$;
comment on function eva_private.fn_saga_start(uuid, eva.saga_type, text[], text, jsonb, interval, jsonb) is
  'Starts a saga: its steps in order, driver (worker or sql), context, timeout (scheduler time) and steps skipped from the start ({step: reason}, recorded skipped). A worker saga''s first step is queued by trigger.';
