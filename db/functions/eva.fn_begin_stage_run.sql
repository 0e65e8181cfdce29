-- A stage_run job starts here, in one round trip: it takes its work row —
-- ready (first attempt) or in_progress (a retry after a crash) — and gets
-- back the stage's context (eva.fn_stage_context) and the venture's token
-- budget. Null when there is nothing to run: the work is completed,
-- superseded or waiting for the Chairman, or the venture is not active.
create or replace function eva.fn_begin_stage_run(p_work_id uuid)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_work eva.venture_stage_work;
  v_budget record;
begin
  update eva.venture_stage_work w
  set status = 'in_progress', attempts = w.attempts + 1, started_at = coalesce(w.started_at, pg_catalog.now())
  from eva.ventures v
  where w.id = p_work_id and v.id = w.venture_id and v.status = 'active'
    and w.status in ('ready', 'in_progress')
  returning w.* into v_work;
  if not found then
    return null;
  end if;
  if v_work.attempts = 1 then
    perform eva_private.fn_log_event('stage.work_started', v_work.venture_id, pg_catalog.jsonb_build_object(
      'stage', v_work.lifecycle_stage, 'run', v_work.run_number, 'work_id', v_work.id));
  end if;
  select * into v_budget from eva.fn_token_budget_remaining(v_work.venture_id, v_work.lifecycle_stage);
  return eva.fn_stage_context(p_work_id) || pg_catalog.jsonb_build_object('budget', pg_catalog.jsonb_build_object(
    'ventureRemaining', v_budget.venture_remaining, 'phaseRemaining', v_budget.phase_remaining,
    'phase', v_budget.phase_number));
end;
$$;
comment on function eva.fn_begin_stage_run(uuid) is
  'Marks a ready (or crashed in_progress) stage work row in_progress and returns its context with the token budget; null when there is nothing to run.';
grant execute on function eva.fn_begin_stage_run(uuid) to eva_service;
