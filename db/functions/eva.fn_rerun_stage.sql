-- Sends a venture back to run a stage again (revise, pivot, a retry with
-- feedback, the next ops cycle): the open work is superseded, the stage gets
-- a new run (its job queued by trigger), and the move is audited. Later
-- stages run again after it, each as a new run, so every re-run stage writes
-- a new artifact version and keeps the old ones. With p_due_at the new run is
-- scheduled (the next ops cycle on the venture's cadence): it becomes ready
-- when the scheduler's clock reaches p_due_at (eva_private.fn_scheduler_release_due).
drop function if exists eva.fn_rerun_stage(uuid, int, text, text);
create or replace function eva.fn_rerun_stage(
  p_venture_id uuid,
  p_stage int,
  p_reason text,
  p_transition_type text default 'revise',
  p_due_at timestamptz default null
)
returns eva.venture_stage_work
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_venture eva.ventures;
  v_next eva.venture_stage_work;
begin
  if coalesce(pg_catalog.btrim(p_reason), '') = '' then
    raise exception 'a re-run needs a reason' using errcode = 'EV400';
  end if;
  if p_transition_type not in ('revise', 'pivot', 'ops_cycle') then
    raise exception 'a re-run is a revise, pivot or ops_cycle, not %', p_transition_type using errcode = 'EV400';
  end if;
  select * into v_venture from eva.ventures where id = p_venture_id for no key update;
  if not found then
    raise exception 'venture % does not exist', p_venture_id using errcode = 'EV404';
  end if;
  if v_venture.status in ('killed', 'sunset', 'exited') then
    raise exception 'venture "%" is %: it cannot run stages again', v_venture.name, v_venture.status using errcode = 'EV409';
  end if;
  if p_stage < 2 or p_stage > v_venture.current_lifecycle_stage then
    raise exception 'venture "%" is at stage %: it can re-run stages 2 to %, not %', v_venture.name,
      v_venture.current_lifecycle_stage, v_venture.current_lifecycle_stage, p_stage using errcode = 'EV409';
  end if;

  perform pg_catalog.set_config('eva.change_reason', p_reason, true);
  update eva.venture_stage_work set status = 'superseded', blocked_reason = null
  where venture_id = p_venture_id and status in ('ready', 'scheduled', 'in_progress', 'blocked', 'awaiting_decision', 'failed');
  update eva.chairman_decisions set status = 'superseded'
  where venture_id = p_venture_id and status = 'pending';

  insert into eva.venture_stage_transitions (venture_id, from_stage, to_stage, transition_type, reason, actor)
  values (p_venture_id, v_venture.current_lifecycle_stage, p_stage, p_transition_type, p_reason, eva_private.fn_caller_role());
  update eva.ventures set current_lifecycle_stage = p_stage,
    status = case when status = 'awaiting_decision' then 'active'::eva.venture_status else status end
  where id = p_venture_id;

  insert into eva.venture_stage_work (venture_id, lifecycle_stage, run_number, status, due_at)
  values (p_venture_id, p_stage,
    (select coalesce(pg_catalog.max(w.run_number), 0) + 1 from eva.venture_stage_work w
     where w.venture_id = p_venture_id and w.lifecycle_stage = p_stage),
    case when p_due_at is null then 'ready' else 'scheduled' end::eva.stage_work_status, p_due_at)
  returning * into v_next;
  perform pg_catalog.set_config('eva.change_reason', '', true);
  return v_next;
end;
$$;
comment on function eva.fn_rerun_stage(uuid, int, text, text, timestamptz) is
  'Sends a venture back to a stage it has reached (2 to its current stage) for a new run: open work superseded, pending decisions superseded, transition audited, the new run ready (or scheduled until p_due_at).';
-- No request role runs it: re-runs come from a gate's route (eva.fn_record_stage_result),
-- a reality-gate retry (eva_private.fn_reality_retry_step), a decision (eva.fn_decide)
-- or the scheduler (eva_private.fn_schedule_ops_cycle). Executable by its owner only.
