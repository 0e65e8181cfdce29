-- The Reality Gate Retry saga (spec §15), one failed evaluation at a time, in
-- the transaction that records the failing gate: identify_failure (the failed
-- checks, as the gate reported them) and map_stages (each check's stage, from
-- the route) are kept in the saga; then retry_analysis re-runs the earliest
-- responsible stage (the stages after it follow up to the gate, and each run
-- of a responsible stage gets every failure so far as feedback through
-- eva.fn_stage_context), or, once max_retries retries have failed, exhaust
-- kills the venture with the reason killed_at_reality_gate and the saga ends
-- failed. eva_private.fn_reality_retry_settle completes it when the gate passes.
create or replace function eva_private.fn_reality_retry_step(p_work_id uuid, p_route jsonb)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_work eva.venture_stage_work;
  v_saga eva.eva_sagas;
  v_boundary int := (p_route ->> 'boundary')::int;
  v_from int := (p_route ->> 'stage')::int;
  v_versions jsonb;
  v_failure jsonb;
  v_summary text;
  v_reason text;
  v_next eva.venture_stage_work;
  -- Spec §15: minutes to hours; a retry that has not come back in a day is overdue.
  v_timeout interval := interval '24 hours';
begin
  select * into v_work from eva.venture_stage_work where id = p_work_id for update;
  if not found then
    raise exception 'stage work % does not exist', p_work_id using errcode = 'EV404';
  end if;
  if v_boundary is distinct from v_work.lifecycle_stage
     or not exists (select 1 from eva.lifecycle_stage_config s where s.stage_number = v_boundary and s.reality_gate) then
    raise exception 'a reality gate retry starts at the reality gate that failed (stage %), not at stage %',
      v_work.lifecycle_stage, coalesce(v_boundary::text, 'none') using errcode = 'EV400';
  end if;
  if v_from is null or v_from < 2 or v_from > v_boundary then
    raise exception 'a reality gate retry re-runs a stage from 2 to %, not %', v_boundary, coalesce(v_from::text, 'none')
      using errcode = 'EV400';
  end if;
  if pg_catalog.jsonb_typeof(p_route -> 'failedChecks') is distinct from 'array' then
    raise exception 'a reality gate retry needs the failed checks (failedChecks, an array)' using errcode = 'EV400';
  end if;

  select * into v_saga from eva.eva_sagas s
  where s.venture_id = v_work.venture_id and s.saga_type = 'reality_gate_retry' and s.status in ('active', 'paused')
  for update;
  if found and (v_saga.context ->> 'boundary')::int is distinct from v_boundary then
    -- An open retry of another gate (left open by a move back past it): this failure is a new one.
    update eva.eva_sagas s
    set status = 'failed', current_step = 'superseded', completed_at = pg_catalog.now(),
        context = s.context || pg_catalog.jsonb_build_object('superseded_at_stage', v_boundary)
    where s.id = v_saga.id;
    v_saga := null;
  end if;
  if v_saga.id is null then
    insert into eva.eva_sagas (venture_id, saga_type, current_step, status, context, timeout_at, steps, driver)
    values (v_work.venture_id, 'reality_gate_retry', 'identify_failure', 'active',
      pg_catalog.jsonb_build_object('boundary', v_boundary, 'started_work_id', v_work.id,
        'failures', '[]'::jsonb, 'prior_failure_reasons', '[]'::jsonb, 'versions_created', '[]'::jsonb),
      pg_catalog.now() + v_timeout,
      array['identify_failure', 'map_stages', 'retry_analysis', 're_evaluate', 'decide', 'exhaust'], 'sql')
    returning * into v_saga;
    perform eva_private.fn_log_event('saga.started', v_work.venture_id, pg_catalog.jsonb_build_object(
      'saga_id', v_saga.id, 'saga_type', v_saga.saga_type, 'stage', v_boundary, 'work_id', v_work.id,
      'max_retries', v_saga.max_retries));
  end if;

  -- The artifact versions this evaluation read: the phase's current ones up to the gate.
  select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('stage', a.lifecycle_stage,
      'type', a.artifact_type, 'version', a.version, 'qualityScore', a.quality_score) order by a.lifecycle_stage), '[]'::jsonb)
  into v_versions
  from eva.lifecycle_stage_config g
  join eva.lifecycle_stage_config s on s.phase_number = g.phase_number and s.stage_number <= g.stage_number
  join eva.venture_artifacts a on a.venture_id = v_work.venture_id and a.lifecycle_stage = s.stage_number
    and a.artifact_type = s.produces[1] and a.is_current
  where g.stage_number = v_boundary;

  v_summary := 'stage ' || v_boundary || ' reality gate, '
    || case when v_saga.retry_count = 0 then 'first evaluation' else 'retry ' || v_saga.retry_count end
    || ': ' || coalesce(p_route ->> 'reason', 'failed');
  v_failure := pg_catalog.jsonb_build_object('attempt', v_saga.retry_count, 'work_id', v_work.id,
    'run', v_work.run_number, 'at', pg_catalog.now(), 'reason', p_route ->> 'reason',
    'failedChecks', p_route -> 'failedChecks', 'responsibleStages', coalesce(p_route -> 'responsibleStages', '[]'::jsonb),
    'rerunFrom', v_from, 'versions', v_versions);
  v_saga.context := v_saga.context || pg_catalog.jsonb_build_object(
    'failures', (v_saga.context -> 'failures') || pg_catalog.jsonb_build_array(v_failure),
    'prior_failure_reasons', (v_saga.context -> 'prior_failure_reasons') || pg_catalog.to_jsonb(v_summary),
    -- What the last retry re-ran: its new versions (stages from where it started up to the gate).
    'versions_created', (v_saga.context -> 'versions_created') || case when v_saga.retry_count = 0 then '[]'::jsonb
      else coalesce((select pg_catalog.jsonb_agg(x.value) from pg_catalog.jsonb_array_elements(v_versions) x
        where (x.value ->> 'stage')::int >= (v_saga.context -> 'failures' -> -1 ->> 'rerunFrom')::int), '[]'::jsonb) end);

  update eva.venture_stage_work set status = 'completed', completed_at = pg_catalog.now() where id = v_work.id;

  -- The steps on the saga engine (each evaluation notes them again: attempts count them).
  if v_saga.retry_count > 0 then
    perform eva_private.fn_saga_note_step(v_saga.id, 're_evaluate', 'failed', pg_catalog.jsonb_build_object(
      'retry', v_saga.retry_count, 'work_id', v_work.id, 'reason', p_route ->> 'reason'));
  end if;
  perform eva_private.fn_saga_note_step(v_saga.id, 'identify_failure', 'completed', pg_catalog.jsonb_build_object(
    'attempt', v_saga.retry_count, 'failedChecks', p_route -> 'failedChecks', 'reason', p_route ->> 'reason'));
  perform eva_private.fn_saga_note_step(v_saga.id, 'map_stages', 'completed', pg_catalog.jsonb_build_object(
    'rerunFrom', v_from, 'responsibleStages', coalesce(p_route -> 'responsibleStages', '[]'::jsonb)));

  if v_saga.retry_count >= v_saga.max_retries then
    perform eva_private.fn_saga_note_step(v_saga.id, 'decide', 'skipped', pg_catalog.jsonb_build_object(
      'reason', 'the gate failed again after ' || v_saga.retry_count || ' retries'));
    perform eva_private.fn_saga_note_step(v_saga.id, 'exhaust', 'completed', pg_catalog.jsonb_build_object(
      'outcome', 'killed', 'kill_reason', 'killed_at_reality_gate', 'retries', v_saga.retry_count));
    -- exhaust: every retry failed.
    v_reason := 'killed_at_reality_gate: the stage ' || v_boundary || ' reality gate still failed after '
      || v_saga.retry_count || ' retries: ' || coalesce(p_route ->> 'reason', 'failed');
    update eva.eva_sagas s
    set current_step = 'exhaust', status = 'failed', completed_at = pg_catalog.now(),
        context = v_saga.context || pg_catalog.jsonb_build_object('outcome', 'killed', 'kill_reason', 'killed_at_reality_gate')
    where s.id = v_saga.id;
    perform eva_private.fn_log_event('saga.failed', v_work.venture_id, pg_catalog.jsonb_build_object(
      'saga_id', v_saga.id, 'saga_type', v_saga.saga_type, 'stage', v_boundary, 'retries', v_saga.retry_count,
      'kill_reason', 'killed_at_reality_gate', 'reasons', v_saga.context -> 'prior_failure_reasons'));
    perform pg_catalog.set_config('eva.change_reason', v_reason, true);
    update eva.ventures set status = 'killed' where id = v_work.venture_id;
    perform pg_catalog.set_config('eva.change_reason', '', true);
    return pg_catalog.jsonb_build_object('outcome', 'killed', 'gateDecision', 'fail', 'reason', v_reason,
      'killReason', 'killed_at_reality_gate', 'sagaId', v_saga.id, 'retries', v_saga.retry_count);
  end if;

  -- retry_analysis: the earliest responsible stage again; the stages after it follow by advancing.
  update eva.eva_sagas s
  set retry_count = v_saga.retry_count + 1, current_step = 'retry_analysis', context = v_saga.context,
      timeout_at = pg_catalog.now() + v_timeout
  where s.id = v_saga.id;
  v_next := eva.fn_rerun_stage(v_work.venture_id, v_from,
    'reality gate retry ' || (v_saga.retry_count + 1) || ' of ' || v_saga.max_retries || ' (stage ' || v_boundary
      || ' failed; re-running from stage ' || v_from || '): ' || coalesce(p_route ->> 'reason', 'failed'),
    'revise');
  perform eva_private.fn_saga_note_step(v_saga.id, 'retry_analysis', 'completed', pg_catalog.jsonb_build_object(
    'retry', v_saga.retry_count + 1, 'rerunFrom', v_from, 'nextWorkId', v_next.id));
  perform eva_private.fn_log_event('saga.step', v_work.venture_id, pg_catalog.jsonb_build_object(
    'saga_id', v_saga.id, 'saga_type', v_saga.saga_type, 'step', 'retry_analysis', 'retry', v_saga.retry_count + 1,
    'stage', v_boundary, 'rerun_from', v_from, 'responsible_stages', p_route -> 'responsibleStages',
    'next_work_id', v_next.id));
  return pg_catalog.jsonb_build_object('outcome', 'rerun', 'nextWorkId', v_next.id, 'nextStage', v_next.lifecycle_stage,
    'gateDecision', 'fail', 'sagaId', v_saga.id, 'retry', v_saga.retry_count + 1);
end;
$$;
comment on function eva_private.fn_reality_retry_step(uuid, jsonb) is
  'Reality Gate Retry saga step for a failed reality gate (route action reality_retry: boundary, stage to re-run from, failedChecks with their stages, reason): starts or continues the venture''s open reality_gate_retry saga, keeps the failure, and re-runs the earliest responsible stage (retry_count + 1), or after max_retries failed retries kills the venture (killed_at_reality_gate) and ends the saga failed.';
