-- The end of a stage run, in one transaction: the artifact versions (once per
-- run and type, so a retried job cannot write a second version), the tokens
-- charged, the gate outcome (with the reality gate, the Decision Filter
-- Engine and the Devil's Advocate review it was decided with), and what
-- follows. At a Chairman gate the Chairman's decision is opened; otherwise
-- p_route, decided by the engine from the gate and the DFE, says: advance,
-- escalate (a blocking DFE decision for the Chairman), rerun (a stage again,
-- with the reason as feedback), kill or block. A work row that is no longer
-- in progress means a retry arrived after the result was already recorded:
-- nothing happens. The run's task contract (p_contract_id, from
-- eva.fn_begin_stage_run; default the work's open one) completes here; a
-- contract that is no longer in progress (it timed out and the work was
-- retried, or a newer attempt superseded it) is a late result: it is ignored
-- (outcome noop, status contract_<status>), never recorded over the retry.
create or replace function eva.fn_record_stage_result(
  p_work_id uuid,
  p_artifacts jsonb,
  p_gate jsonb default null,
  p_charges jsonb default '[]',
  p_route jsonb default null,
  p_contract_id uuid default null
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_work eva.venture_stage_work;
  v_stage eva.lifecycle_stage_config;
  v_artifact jsonb;
  v_charge jsonb;
  v_primary eva.venture_artifacts;
  v_passes boolean;
  v_next eva.venture_stage_work;
  v_decision_id uuid;
  v_action text;
  v_reason text;
  v_saga_id uuid;
  v_contract eva.agent_task_contracts;
  v_result jsonb;
begin
  -- Lock order: the venture, then its work — as a kill, a decision or a pause
  -- takes them — so a kill meeting a finishing run waits for it instead of
  -- deadlocking with it.
  perform 1 from eva.ventures v
  where v.id = (select w.venture_id from eva.venture_stage_work w where w.id = p_work_id)
  for no key update;
  select * into v_work from eva.venture_stage_work where id = p_work_id for update;
  if not found then
    raise exception 'stage work % does not exist', p_work_id using errcode = 'EV404';
  end if;
  if v_work.status <> 'in_progress' then
    return pg_catalog.jsonb_build_object('outcome', 'noop', 'status', v_work.status);
  end if;
  if p_contract_id is not null then
    select * into v_contract from eva.agent_task_contracts c where c.id = p_contract_id for update;
    if not found or v_contract.stage_work_id is distinct from p_work_id then
      raise exception 'task contract % is not a contract of stage work %', p_contract_id, p_work_id using errcode = 'EV404';
    end if;
  else
    select * into v_contract from eva.agent_task_contracts c
    where c.stage_work_id = p_work_id and c.kind = 'stage_analysis' and c.status = 'in_progress'
    order by c.attempt desc limit 1 for update;
  end if;
  if v_contract.id is not null then
    if v_contract.status <> 'in_progress' then
      return pg_catalog.jsonb_build_object('outcome', 'noop', 'status', 'contract_' || v_contract.status,
        'contractId', v_contract.id);
    end if;
    perform eva_private.fn_contract_transition(v_contract.id, 'completed', pg_catalog.jsonb_build_object('result',
      pg_catalog.jsonb_build_object('artifacts', pg_catalog.jsonb_array_length(coalesce(p_artifacts, '[]'::jsonb)),
        'gateDecision', p_gate ->> 'decision', 'route', coalesce(p_route ->> 'action', 'advance'))));
  end if;
  select * into v_stage from eva.lifecycle_stage_config where stage_number = v_work.lifecycle_stage;

  for v_artifact in select * from pg_catalog.jsonb_array_elements(coalesce(p_artifacts, '[]'::jsonb)) loop
    if not (v_artifact ->> 'artifactType' = any (v_stage.produces)) then
      raise exception 'stage % does not produce % artifacts (it produces %)', v_stage.stage_number,
        v_artifact ->> 'artifactType', pg_catalog.array_to_string(v_stage.produces, ', ')
        using errcode = 'EV400';
    end if;
    insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, quality_score,
      validation_status, epistemic_classification, epistemic_evidence, provenance, stage_work_id)
    values (v_work.venture_id, v_work.lifecycle_stage, v_artifact ->> 'artifactType', v_artifact -> 'content',
      (v_artifact ->> 'qualityScore')::int, 'validated',
      (v_artifact ->> 'epistemicClassification')::eva.epistemic_classification,
      coalesce(v_artifact -> 'epistemicEvidence', '{}'::jsonb), coalesce(v_artifact -> 'provenance', '{}'::jsonb),
      v_work.id)
    on conflict (stage_work_id, artifact_type) where stage_work_id is not null do nothing;
  end loop;

  for v_charge in select * from pg_catalog.jsonb_array_elements(coalesce(p_charges, '[]'::jsonb)) loop
    perform eva.fn_charge_tokens(v_work.venture_id, v_work.lifecycle_stage, v_work.id,
      coalesce(v_charge ->> 'purpose', 'analysis'), (v_charge ->> 'promptTokens')::int,
      (v_charge ->> 'completionTokens')::int, coalesce((v_charge ->> 'estimated')::boolean, false),
      coalesce(v_charge -> 'provenance', '{}'::jsonb));
  end loop;

  select * into v_primary from eva.venture_artifacts a
  where a.stage_work_id = v_work.id and a.artifact_type = v_stage.produces[1];

  if v_stage.gate_type <> 'none' then
    if p_gate is null then
      raise exception 'stage % has a % gate: its outcome is part of the result', v_stage.stage_number, v_stage.gate_type
        using errcode = 'EV400';
    end if;
    perform eva.fn_record_gate_outcome(v_work.venture_id, v_work.lifecycle_stage, p_gate ->> 'decision',
      p_gate ->> 'rationale', p_gate - 'decision' - 'rationale');
    select o.passes into v_passes from eva.gate_decision_options o
    where o.gate_type = v_stage.gate_type and o.decision = p_gate ->> 'decision';
    -- A reality gate that no longer fails completes its open retry saga (spec §15).
    perform eva_private.fn_reality_retry_settle(v_work.id, p_gate);
  else
    v_passes := true;
  end if;

  -- The Decision Filter Engine's evaluation: audited, and its pattern joins the portfolio's knowledge
  -- (at the end, below: every run of a stage with the same signature updates that one row).
  if p_route ? 'dfe' then
    perform eva_private.fn_log_event('dfe.evaluated', v_work.venture_id, pg_catalog.jsonb_build_object(
      'stage', v_work.lifecycle_stage, 'work_id', v_work.id) || (p_route -> 'dfe'));
  end if;
  <<route>>
  begin
    perform eva_private.fn_log_event('stage.work_completed', v_work.venture_id, pg_catalog.jsonb_build_object(
      'stage', v_work.lifecycle_stage, 'run', v_work.run_number, 'work_id', v_work.id,
      'artifact_version', v_primary.version, 'gate_decision', p_gate ->> 'decision',
      'route', coalesce(p_route ->> 'action', 'advance')));

    -- A Chairman gate waits for the Chairman, whatever the analysis recommends.
    if v_stage.chairman_gate then
      insert into eva.chairman_decisions (venture_id, lifecycle_stage, decision_type, recommended_action, urgency,
        blocking, context, artifact_type, artifact_version)
      values (v_work.venture_id, v_work.lifecycle_stage, v_stage.chairman_decision_type,
        coalesce(p_gate ->> 'recommendedAction', p_route ->> 'recommendedAction'), 'immediate', true,
        pg_catalog.jsonb_build_object('stage_output', v_primary.content, 'gate', p_gate, 'dfe', coalesce(p_gate -> 'dfe', p_route -> 'dfe')),
        v_primary.artifact_type, v_primary.version)
      returning id into v_decision_id;
      perform eva_private.fn_await_chairman(v_work, 'waiting for the Chairman at stage ' || v_work.lifecycle_stage);
      v_result := pg_catalog.jsonb_build_object('outcome', 'awaiting_decision', 'decisionId', v_decision_id,
        'artifactVersion', v_primary.version);
      exit route;
    end if;

    v_action := coalesce(p_route ->> 'action', case when v_passes then 'advance' else 'block' end);
    v_reason := coalesce(p_route ->> 'reason', 'the ' || v_stage.gate_type || ' gate decided "' || (p_gate ->> 'decision') || '"');

    if v_action = 'advance' then
      -- Stage 18's SD bridge (spec §9): the sprint goes to engineering, and Stage 19
      -- waits for it (eva.fn_sd_complete releases it when every work item is reported).
      if v_stage.work_type = 'sd_bridge' then
        v_saga_id := eva_private.fn_sd_bridge_start(v_work.id);
      end if;
      v_next := eva.fn_advance_venture_stage(v_work.venture_id, v_work.lifecycle_stage, null,
        'stage ' || v_work.lifecycle_stage || ' completed');
      if v_saga_id is not null
         and (select s.status from eva.eva_sagas s where s.id = v_saga_id) = 'active' then
        update eva.venture_stage_work
        set status = 'blocked',
            blocked_reason = 'waiting for engineering: ' || (select pg_catalog.count(*) from eva.sd_work_items i
              where i.saga_id = v_saga_id and i.kind = 'child') || ' work items (saga ' || v_saga_id || ')'
        where id = v_next.id;
        v_result := pg_catalog.jsonb_build_object('outcome', 'engineering', 'nextWorkId', v_next.id,
          'nextStage', v_next.lifecycle_stage, 'sagaId', v_saga_id, 'artifactVersion', v_primary.version);
        exit route;
      end if;
      v_result := pg_catalog.jsonb_build_object('outcome', 'advanced', 'nextWorkId', v_next.id,
        'nextStage', v_next.lifecycle_stage, 'artifactVersion', v_primary.version);
      exit route;
    elsif v_action = 'escalate' then
      insert into eva.chairman_decisions (venture_id, lifecycle_stage, decision_type, recommended_action, urgency,
        blocking, context, artifact_type, artifact_version)
      values (v_work.venture_id, v_work.lifecycle_stage, 'dfe_escalation',
        coalesce(p_route ->> 'recommendedAction', 'proceed'), 'immediate', true,
        pg_catalog.jsonb_build_object('stage_output', v_primary.content, 'gate', p_gate, 'dfe', coalesce(p_gate -> 'dfe', p_route -> 'dfe'),
          'reason', v_reason),
        v_primary.artifact_type, v_primary.version)
      returning id into v_decision_id;
      perform eva_private.fn_await_chairman(v_work, 'the Decision Filter Engine escalated stage ' || v_work.lifecycle_stage);
      v_result := pg_catalog.jsonb_build_object('outcome', 'awaiting_decision', 'decisionId', v_decision_id,
        'artifactVersion', v_primary.version);
      exit route;
    elsif v_action = 'rerun' then
      update eva.venture_stage_work set status = 'completed', completed_at = pg_catalog.now() where id = v_work.id;
      v_next := eva.fn_rerun_stage(v_work.venture_id, (p_route ->> 'stage')::int, v_reason,
        coalesce(p_route ->> 'transitionType', 'revise'));
      v_result := pg_catalog.jsonb_build_object('outcome', 'rerun', 'nextWorkId', v_next.id,
        'nextStage', v_next.lifecycle_stage, 'gateDecision', p_gate ->> 'decision', 'artifactVersion', v_primary.version);
      exit route;
    elsif v_action = 'kill' then
      perform pg_catalog.set_config('eva.change_reason', 'killed at stage ' || v_work.lifecycle_stage || ': ' || v_reason, true);
      update eva.venture_stage_work set status = 'completed', completed_at = pg_catalog.now() where id = v_work.id;
      update eva.ventures set status = 'killed' where id = v_work.venture_id;
      perform pg_catalog.set_config('eva.change_reason', '', true);
      v_result := pg_catalog.jsonb_build_object('outcome', 'killed', 'gateDecision', p_gate ->> 'decision',
        'reason', v_reason, 'artifactVersion', v_primary.version);
      exit route;
    elsif v_action = 'block' then
      update eva.venture_stage_work set status = 'blocked', blocked_reason = v_reason where id = v_work.id;
      perform eva_private.fn_log_event('stage.blocked', v_work.venture_id, pg_catalog.jsonb_build_object(
        'stage', v_work.lifecycle_stage, 'work_id', v_work.id, 'reason', v_reason));
      v_result := pg_catalog.jsonb_build_object('outcome', 'gate_blocked', 'gateDecision', p_gate ->> 'decision',
        'reason', v_reason, 'artifactVersion', v_primary.version);
      exit route;
    elsif v_action = 'reality_retry' then
      -- A failed reality gate: its retry saga re-runs the responsible stage, or kills after the last retry.
      v_result := eva_private.fn_reality_retry_step(v_work.id, p_route)
        || pg_catalog.jsonb_build_object('artifactVersion', v_primary.version);
      exit route;
    end if;

    raise exception 'unknown route action "%" (advance, escalate, rerun, kill or block)', v_action using errcode = 'EV400';
  end;

  -- The DFE's pattern, recorded last: its row is shared by every run of the stage that produced the same
  -- signature, and its lock is held until commit; taken here, other runs wait only for this one's commit.
  if coalesce(p_route -> 'dfe' ->> 'patternSignature', '') <> '' then
    perform eva_private.fn_record_portfolio_pattern(v_work.lifecycle_stage, p_route -> 'dfe' ->> 'patternSignature',
      v_work.venture_id);
  end if;
  return v_result;
end;
$$;
comment on function eva.fn_record_stage_result(uuid, jsonb, jsonb, jsonb, jsonb, uuid) is
  'Records a stage run''s result in one transaction: artifact versions (once per run), token charges, gate outcome; then opens the Chairman decision of a Chairman gate, or follows the route (advance, escalate, rerun, kill, block). A retry after the result was recorded, or a late result of a timed-out contract, does nothing (outcome noop).';
grant execute on function eva.fn_record_stage_result(uuid, jsonb, jsonb, jsonb, jsonb, uuid) to eva_service;
