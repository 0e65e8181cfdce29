-- Plans or records a sub-step of a saga step (teardown: one per resource).
-- Planning inserts pending sub-steps once (a re-plan keeps what exists);
-- recording a sub-step already completed or skipped is refused (EV409), so no
-- resource is torn down twice.
create or replace function eva_private.fn_saga_substep(
  p_saga_id uuid,
  p_step text,
  p_key text,
  p_status text,
  p_position int default 0,
  p_result jsonb default '{}',
  p_error text default null
)
returns eva.eva_saga_substeps
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row eva.eva_saga_substeps;
  v_venture uuid;
begin
  if p_status is null or p_status not in ('pending', 'completed', 'skipped', 'failed') then
    raise exception 'a sub-step is pending, completed, skipped or failed, not %', coalesce(p_status, 'null')
      using errcode = 'EV400';
  end if;
  select s.venture_id into v_venture from eva.eva_sagas s where s.id = p_saga_id;
  if not found then
    raise exception 'saga % does not exist', p_saga_id using errcode = 'EV404';
  end if;
  select * into v_row from eva.eva_saga_substeps where saga_id = p_saga_id and step = p_step and key = p_key for update;
  if found and p_status = 'pending' then
    return v_row;
  end if;
  if found and v_row.status in ('completed', 'skipped') then
    raise exception 'sub-step % of step % is already %', p_key, p_step, v_row.status using errcode = 'EV409';
  end if;
  insert into eva.eva_saga_substeps as x (saga_id, venture_id, step, key, position, status, attempts, result, error)
  values (p_saga_id, v_venture, p_step, p_key, coalesce(p_position, 0), p_status,
    case when p_status = 'pending' then 0 else 1 end, coalesce(p_result, '{}'::jsonb), p_error)
  on conflict (saga_id, step, key) do update
    set status = excluded.status, attempts = x.attempts + 1, result = excluded.result, error = excluded.error,
        updated_at = pg_catalog.now()
  returning * into v_row;
  return v_row;
end;
$$;
comment on function eva_private.fn_saga_substep(uuid, text, text, text, int, jsonb, text) is
  'Plans (pending, once) or records (completed, skipped, failed: attempts + 1) a sub-step of a saga step; EV409 for one already completed or skipped.';
grant execute on function eva_private.fn_saga_substep(uuid, text, text, text, int, jsonb, text) to eva_service;
