-- For SQL-driven sagas (sd_execution, reality_gate_retry): the function that
-- owns the saga notes a step's outcome in eva.eva_saga_steps, in its own
-- transaction. A step noted again (a retry loop's identify_failure) counts
-- one more attempt and keeps the latest result.
create or replace function eva_private.fn_saga_note_step(
  p_saga_id uuid,
  p_step text,
  p_status text,
  p_result jsonb default '{}'
)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  insert into eva.eva_saga_steps as s (saga_id, venture_id, step, status, attempts, result, completed_at)
  select g.id, g.venture_id, p_step, p_status, 1, coalesce(p_result, '{}'::jsonb),
    case when p_status <> 'failed' then pg_catalog.now() end
  from eva.eva_sagas g where g.id = p_saga_id
  on conflict (saga_id, step) do update
    set status = excluded.status, attempts = s.attempts + 1, result = excluded.result,
        completed_at = excluded.completed_at, updated_at = pg_catalog.now();
end;
$$;
comment on function eva_private.fn_saga_note_step(uuid, text, text, jsonb) is
  'Notes a step outcome of a SQL-driven saga (upsert: a repeated step counts one more attempt, latest result kept).';
