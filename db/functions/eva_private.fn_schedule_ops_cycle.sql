-- A Stage 25 "continue" (or "expand"): the next ops cycle (Stage 24 again) is
-- scheduled on the venture's cadence, due one ops-cycle interval from now on
-- the scheduler's clock; eva_private.fn_scheduler_release_due makes it ready.
create or replace function eva_private.fn_schedule_ops_cycle(p_venture_id uuid, p_reason text)
returns eva.venture_stage_work
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_cadence eva.venture_cadence := eva_private.fn_venture_cadence(p_venture_id);
  v_work eva.venture_stage_work;
begin
  v_work := eva.fn_rerun_stage(p_venture_id, 24, p_reason, 'ops_cycle', eva.fn_scheduler_now() + v_cadence.ops_cycle);
  perform eva_private.fn_log_event('schedule.ops_cycle_scheduled', p_venture_id, pg_catalog.jsonb_build_object(
    'workId', v_work.id, 'run', v_work.run_number, 'dueAt', v_work.due_at, 'riskBand', v_cadence.risk_band,
    'opsCycle', v_cadence.ops_cycle::text, 'source', v_cadence.source));
  return v_work;
end;
$$;
comment on function eva_private.fn_schedule_ops_cycle(uuid, text) is
  'Schedules the venture''s next ops cycle (a Stage 24 run) at now + its cadence''s ops-cycle interval (scheduler time).';
