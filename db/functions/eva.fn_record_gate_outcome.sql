-- Gate outcomes are enum decisions with a rationale (spec §7.2), stored on the
-- stage's open work row so the advance can check them and they can be
-- re-evaluated later from recorded inputs.
create or replace function eva.fn_record_gate_outcome(
  p_venture_id uuid,
  p_stage int,
  p_decision text,
  p_rationale text,
  p_details jsonb default '{}'
)
returns eva.venture_stage_work
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_stage eva.lifecycle_stage_config;
  v_work eva.venture_stage_work;
begin
  select * into v_stage from eva.lifecycle_stage_config where stage_number = p_stage;
  if not found then
    raise exception 'there is no stage %: stages run from 1 to 25', p_stage using errcode = 'EV400';
  end if;
  if v_stage.gate_type = 'none' then
    raise exception 'stage % (%) has no gate', p_stage, v_stage.stage_name using errcode = 'EV400';
  end if;
  if not exists (select 1 from eva.gate_decision_options o where o.gate_type = v_stage.gate_type and o.decision = p_decision) then
    raise exception '"%" is not a % gate decision; allowed: %', p_decision, v_stage.gate_type,
      (select pg_catalog.string_agg(o.decision, ', ' order by o.decision) from eva.gate_decision_options o
       where o.gate_type = v_stage.gate_type)
      using errcode = 'EV400';
  end if;
  if coalesce(pg_catalog.btrim(p_rationale), '') = '' then
    raise exception 'a gate outcome needs a rationale' using errcode = 'EV400';
  end if;

  select * into v_work from eva.venture_stage_work w
  where w.venture_id = p_venture_id and w.lifecycle_stage = p_stage
    and w.status in ('ready', 'in_progress', 'blocked', 'awaiting_decision')
  for update;
  if not found then
    raise exception 'venture % has no open work at stage %', p_venture_id, p_stage using errcode = 'EV409';
  end if;
  -- An outcome is recorded once per run: a gate is re-evaluated by a new run of the stage.
  if v_work.gate_decision is not null then
    raise exception 'stage % gate outcome is already recorded for this run ("%")', p_stage, v_work.gate_decision
      using errcode = 'EV409', hint = 'Re-run the stage to evaluate its gate again.';
  end if;

  update eva.venture_stage_work w
  set gate_decision = p_decision,
      gate_outcome = pg_catalog.jsonb_build_object('decision', p_decision, 'rationale', p_rationale)
                     || coalesce(p_details, '{}'::jsonb)
  where w.id = v_work.id
  returning * into v_work;

  perform eva_private.fn_log_event('gate.evaluated', p_venture_id, pg_catalog.jsonb_build_object(
    'stage', p_stage, 'gate_type', v_stage.gate_type, 'decision', p_decision, 'rationale', p_rationale));
  return v_work;
end;
$$;
comment on function eva.fn_record_gate_outcome(uuid, int, text, text, jsonb) is
  'Records the enum outcome and rationale of a stage''s gate on its open work row; the decision must be one of the gate type''s options (EV400); one outcome per run (EV409).';
-- No request role runs it: a gate's outcome is recorded by eva.fn_record_stage_result
-- with the stage's result. Executable by its owner only.
