-- What each Chairman decision does (spec §11 decision types, §8.6 Stage 25),
-- applied in the deciding transaction; a stage that runs next gets its job
-- queued by trigger when its work row becomes ready.
--   venture_review (Stage 0): approve → the venture at Stage 1 with its brief;
--     park / edit → the nursery (edit: status editing); kill → dropped.
--   brand_approval (10): approve → on; revise → Stage 10 again with the notes;
--     reject → killed.
--   release_decision (22): release → on to launch; hold → the build loop again
--     (Stage 17); cancel → killed.
--   venture_future (25): continue / expand → the next ops cycle (Stage 24
--     again, a new version, scheduled on the venture's cadence: due after its ops-cycle interval); pivot → back to THE ENGINE (Stage 6); sunset /
--     exit → the venture ends and a retirement saga starts.
--   dfe_escalation: proceed → on; block → the stage is blocked by the
--     Chairman; modify_thresholds → the stage again under the new preferences.
--     For an SD execution timeout (context kind sd_timeout, Stage 19): proceed
--     → Stage 19 runs on the partial results; modify_thresholds → Stage 18 again.
create or replace function eva_private.fn_apply_decision(p_d eva.chairman_decisions)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  -- What happened, not why: this reason lands in history, transitions and
  -- venture.* / stage.* events, which viewers read. The notes stay in
  -- eva.chairman_decisions (Chairman and services; a re-run reads them as feedback).
  v_reason text := 'Chairman decided "' || p_d.decision || '" at stage ' || p_d.lifecycle_stage;
  v_brief jsonb;
  v_venture eva.ventures;
  v_work eva.venture_stage_work;
begin
  if p_d.decision_type = 'venture_review' then
    v_brief := p_d.context -> 'brief';
    if p_d.decision = 'approve' then
      v_venture := eva.fn_create_venture(v_brief ->> 'name', v_brief ->> 'description', v_brief ->> 'problemStatement',
        v_brief ->> 'valueProp', v_brief ->> 'targetMarket', (v_brief ->> 'archetype')::eva.venture_archetype,
        array(select pg_catalog.jsonb_array_elements_text(coalesce(v_brief -> 'keyAssumptions', '[]'))),
        array(select pg_catalog.jsonb_array_elements_text(coalesce(v_brief -> 'successCriteria', '[]'))),
        v_brief ->> 'moatStrategy', null, 'stage0');
      update eva.ventures set raw_chairman_intent = v_brief ->> 'rawChairmanIntent',
        vertical_category = v_brief ->> 'verticalCategory'
      where id = v_venture.id;
      insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, quality_score,
        validation_status, epistemic_classification, epistemic_evidence, provenance)
      values (v_venture.id, 0, 'venture_brief', v_brief, (v_brief ->> 'ventureScore')::numeric::int, 'validated',
        coalesce(p_d.context ->> 'epistemic', 'assumption')::eva.epistemic_classification,
        pg_catalog.jsonb_build_object('decision_id', p_d.id, 'origin', v_brief ->> 'originType'),
        coalesce(p_d.context -> 'provenance', '{}'::jsonb));
      update eva.chairman_decisions set venture_id = v_venture.id where id = p_d.id;
    elsif p_d.decision in ('park', 'edit') then
      insert into eva.venture_nursery (decision_id, name, brief, status, reason, review_at)
      values (p_d.id, coalesce(v_brief ->> 'name', 'unnamed idea'), coalesce(v_brief, '{}'::jsonb),
        case p_d.decision when 'park' then 'parked' else 'editing' end::eva.nursery_status, p_d.notes,
        eva.fn_scheduler_now() + case p_d.decision when 'park' then interval '90 days' else interval '7 days' end);
    end if;
    return;
  end if;

  if p_d.venture_id is null then
    return;
  end if;
  -- A post-launch metric anomaly's decision acknowledges it: no stage work waits on it.
  if p_d.context ->> 'kind' = 'metric_anomaly' then
    return;
  end if;
  select * into v_venture from eva.ventures where id = p_d.venture_id for no key update;
  perform pg_catalog.set_config('eva.change_reason', v_reason, true);
  if v_venture.status = 'awaiting_decision' and p_d.decision not in ('sunset', 'exit', 'reject', 'cancel') then
    update eva.ventures set status = 'active' where id = p_d.venture_id;
  end if;

  -- An SD execution that timed out (eva_private.fn_scheduler_saga_sweep): proceed
  -- runs Stage 19 on what engineering delivered (sprint_completion blocked);
  -- modify_thresholds plans the sprint again (Stage 18); block keeps it blocked.
  if p_d.decision_type = 'dfe_escalation' and p_d.context ->> 'kind' = 'sd_timeout' and p_d.decision <> 'block' then
    if p_d.decision = 'proceed' then
      update eva.venture_stage_work set status = 'ready', blocked_reason = null
      where venture_id = p_d.venture_id and lifecycle_stage = p_d.lifecycle_stage and status = 'awaiting_decision';
    else
      perform eva.fn_rerun_stage(p_d.venture_id, 18, v_reason, 'revise');
    end if;
    perform pg_catalog.set_config('eva.change_reason', '', true);
    return;
  end if;

  case p_d.decision_type || '/' || p_d.decision
    when 'brand_approval/approve', 'release_decision/release', 'dfe_escalation/proceed' then
      perform eva.fn_advance_venture_stage(p_d.venture_id, p_d.lifecycle_stage, null, v_reason);
    when 'brand_approval/revise' then
      perform eva.fn_rerun_stage(p_d.venture_id, 10, v_reason, 'revise');
    when 'release_decision/hold' then
      perform eva.fn_rerun_stage(p_d.venture_id, 17, v_reason, 'revise');
    when 'venture_future/continue', 'venture_future/expand' then
      -- The next ops cycle waits for its due time on the venture's cadence.
      perform eva_private.fn_schedule_ops_cycle(p_d.venture_id, v_reason);
    when 'venture_future/pivot' then
      perform eva.fn_rerun_stage(p_d.venture_id, 6, v_reason, 'pivot');
    when 'dfe_escalation/modify_thresholds' then
      perform eva.fn_rerun_stage(p_d.venture_id, p_d.lifecycle_stage, v_reason, 'revise');
    when 'dfe_escalation/block' then
      update eva.venture_stage_work set status = 'blocked', blocked_reason = v_reason
      where venture_id = p_d.venture_id and status = 'awaiting_decision';
    when 'brand_approval/reject', 'release_decision/cancel' then
      perform pg_catalog.set_config('eva.ending_decision', p_d.id::text, true);
      update eva.ventures set status = 'killed' where id = p_d.venture_id;
      perform pg_catalog.set_config('eva.ending_decision', '', true);
    when 'venture_future/sunset', 'venture_future/exit' then
      -- Spec §15: the venture's end starts its retirement saga (notify, export, teardown,
      -- archive, retrospective), with this decision: its venture.sunset / .exited event carries the
      -- decision to the venture-retirement subscription (eva_private.fn_start_retirement_for_event).
      perform pg_catalog.set_config('eva.ending_decision', p_d.id::text, true);
      update eva.ventures set status = case p_d.decision when 'sunset' then 'sunset' else 'exited' end::eva.venture_status
      where id = p_d.venture_id;
      perform pg_catalog.set_config('eva.ending_decision', '', true);
    else
      raise exception 'no effect is defined for % "%"', p_d.decision_type, p_d.decision using errcode = 'EV400';
  end case;
  perform pg_catalog.set_config('eva.change_reason', '', true);
end;
$$;
comment on function eva_private.fn_apply_decision(eva.chairman_decisions) is
  'Applies a decided Chairman decision: creates, advances, re-runs, blocks or ends the venture as the decision type and decision say.';
