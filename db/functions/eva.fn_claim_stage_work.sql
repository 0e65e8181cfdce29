-- A stage_run job takes its work row: ready (first attempt) or in_progress
-- (a retry after a crash). Anything else — completed, superseded, waiting for
-- the Chairman, a venture no longer active — means there is nothing to do.
create or replace function eva.fn_claim_stage_work(p_work_id uuid)
returns eva.venture_stage_work
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_work eva.venture_stage_work;
begin
  update eva.venture_stage_work w
  set status = 'in_progress', attempts = w.attempts + 1, started_at = coalesce(w.started_at, pg_catalog.now())
  from eva.ventures v
  where w.id = p_work_id and v.id = w.venture_id and v.status = 'active'
    and w.status in ('ready', 'in_progress')
  returning w.* into v_work;
  if found and v_work.attempts = 1 then
    perform eva_private.fn_log_event('stage.work_started', v_work.venture_id, pg_catalog.jsonb_build_object(
      'stage', v_work.lifecycle_stage, 'run', v_work.run_number, 'work_id', v_work.id));
  end if;
  return v_work;
end;
$$;
comment on function eva.fn_claim_stage_work(uuid) is
  'Marks a ready (or crashed in_progress) stage work row in_progress and returns it; null when there is nothing to run.';
grant execute on function eva.fn_claim_stage_work(uuid) to eva_service;
