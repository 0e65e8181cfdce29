-- A stage_run job starts here, in one round trip: it takes its work row —
-- ready (first attempt) or in_progress (a retry after a crash) — and gets
-- back the stage's context (eva.fn_stage_context) and the venture's token
-- budget. Null when there is nothing to run: the work is completed,
-- superseded or waiting for the Chairman, or the venture is not active.
-- The run is a task contract (spec §3, kind stage_analysis): created pending
-- (or the pending one a deferred run left), claimed by p_claimed_by and
-- started here, returned as `contract`; an earlier attempt's contract still
-- open (its worker crashed) fails as superseded. p_circuits names the circuit
-- breakers the stage's model calls pass through (eva_private.fn_circuit_permit:
-- the venture's llm, the provider's provider:<host>); when one is open the run
-- does not start: the work stays ready, its contract pending with
-- deferred_until, its job re-queued for when the circuit half-opens, and the
-- result is { "deferred": { contractId, retryAt, refusedBy } }. Stage 1 makes
-- no model call and asks no breaker.
create or replace function eva.fn_begin_stage_run(p_work_id uuid, p_circuits text[] default null,
  p_claimed_by text default null)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_work eva.venture_stage_work;
  v_budget record;
  v_phase record;
  v_preferences jsonb;
  v_scopes jsonb;
  v_contract eva.agent_task_contracts;
  v_spec jsonb;
  v_claimant text;
  v_circuits text[] := case when coalesce(pg_catalog.cardinality(p_circuits), 0) > 0 then p_circuits else '{}' end;
  v_permit jsonb;
begin
  select w.* into v_work from eva.venture_stage_work w
  join eva.ventures v on v.id = w.venture_id and v.status = 'active'
  where w.id = p_work_id and w.status in ('ready', 'in_progress')
  for update of w;
  if not found then
    return null;
  end if;
  select * into v_budget from eva.fn_token_budget_remaining(v_work.venture_id, v_work.lifecycle_stage);

  -- The run's contract: the pending one a deferred run left, else a new attempt (created below).
  v_contract := null;
  for v_contract in
    select * from eva.agent_task_contracts c
    where c.stage_work_id = p_work_id and c.kind = 'stage_analysis' and c.status in ('pending', 'assigned', 'in_progress')
    order by c.attempt
    for update
  loop
    exit when v_contract.status = 'pending';
    perform eva_private.fn_contract_transition(v_contract.id, 'failed', pg_catalog.jsonb_build_object(
      'error', 'superseded: its worker stopped before recording a result; the stage runs again'));
    v_contract := null;
  end loop;
  v_spec := pg_catalog.jsonb_build_object(
    'kind', 'stage_analysis', 'targetAgent', 'CEO_SERVICE', 'action', 'execute_analysis_step',
    'ventureId', v_work.venture_id, 'stage', v_work.lifecycle_stage, 'stageWorkId', v_work.id,
    'attempt', 1 + coalesce((select pg_catalog.max(c.attempt) from eva.agent_task_contracts c
      where c.stage_work_id = p_work_id and c.kind = 'stage_analysis'), 0),
    'tokenBudget', nullif(least(v_budget.venture_remaining, v_budget.phase_remaining, 2147483647), 2147483647),
    'circuits', pg_catalog.to_jsonb(v_circuits),
    'context', pg_catalog.jsonb_build_object('run', v_work.run_number));

  -- Its model calls' circuit breakers: an open one defers the run without spending an attempt.
  if v_work.lifecycle_stage > 1 and pg_catalog.cardinality(v_circuits) > 0 then
    v_permit := eva_private.fn_circuit_permit(v_work.venture_id, v_circuits, v_contract.id);
    if not (v_permit ->> 'allowed')::boolean then
      if v_contract.id is null then
        v_contract := eva_private.fn_contract_create(v_spec);
      end if;
      update eva.agent_task_contracts c
      set deferred_until = (v_permit ->> 'retryAt')::timestamptz, circuits = v_circuits, updated_at = pg_catalog.now(),
          context = c.context || pg_catalog.jsonb_build_object('deferredBy', v_permit -> 'refusedBy')
      where c.id = v_contract.id;
      if v_work.status = 'in_progress' then
        update eva.venture_stage_work set status = 'ready' where id = v_work.id;
      end if;
      perform eva_private.fn_defer_stage_run(v_work.id, (v_permit ->> 'retryAt')::timestamptz);
      return pg_catalog.jsonb_build_object('deferred', pg_catalog.jsonb_build_object('contractId', v_contract.id,
        'stage', v_work.lifecycle_stage,
        'retryAt', v_permit -> 'retryAt', 'refusedBy', v_permit -> 'refusedBy', 'circuits', v_permit -> 'circuits'));
    end if;
  end if;

  v_claimant := coalesce(p_claimed_by, pg_catalog.current_setting('application_name') || ':' || pg_catalog.pg_backend_pid());
  if v_contract.id is null then
    -- Created claimed and started: one row, its three events in one statement.
    v_contract := eva_private.fn_contract_create(v_spec, v_claimant);
  else
    perform eva_private.fn_contract_transition(v_contract.id, 'assigned',
      pg_catalog.jsonb_build_object('claimedBy', v_claimant));
    v_contract := eva_private.fn_contract_transition(v_contract.id, 'in_progress');
  end if;

  update eva.venture_stage_work w
  set status = 'in_progress', attempts = w.attempts + 1, started_at = coalesce(w.started_at, pg_catalog.now())
  where w.id = p_work_id
  returning w.* into v_work;
  if v_work.attempts = 1 then
    perform eva_private.fn_log_event('stage.work_started', v_work.venture_id, pg_catalog.jsonb_build_object(
      'stage', v_work.lifecycle_stage, 'run', v_work.run_number, 'work_id', v_work.id));
  end if;
  select pb.budget_tokens, pb.consumed_tokens into v_phase from eva.venture_phase_budgets pb
  where pb.venture_id = v_work.venture_id and pb.phase_number = v_budget.phase_number;
  -- The preferences in force, resolved once for both their values and their scopes.
  select coalesce(pg_catalog.jsonb_object_agg(p.key, p.value), '{}'::jsonb),
         coalesce(pg_catalog.jsonb_object_agg(p.key, p.scope), '{}'::jsonb)
  into v_preferences, v_scopes
  from eva.fn_resolve_chairman_preferences(v_work.venture_id) p;
  return eva.fn_stage_context(p_work_id) || pg_catalog.jsonb_build_object(
    'contract', pg_catalog.jsonb_build_object('id', v_contract.id, 'attempt', v_contract.attempt,
      'timeoutAt', v_contract.timeout_at, 'circuits', pg_catalog.to_jsonb(v_contract.circuits),
      'clean', coalesce((v_permit ->> 'clean')::boolean, true)),
    'budget', pg_catalog.jsonb_build_object('ventureRemaining', v_budget.venture_remaining,
      'phaseRemaining', v_budget.phase_remaining, 'phase', v_budget.phase_number,
      -- The phase's allotment and spend, for the DFE's cost trigger (a phase budget nearly spent).
      'phaseLimit', v_phase.budget_tokens, 'phaseSpent', v_phase.consumed_tokens),
    -- What the gates and the Decision Filter Engine read beside the artifacts.
    'preferences', v_preferences,
    'preferenceScopes', v_scopes,
    'phaseArtifacts', coalesce((
      select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('stage', a.lifecycle_stage, 'type', a.artifact_type,
        'version', a.version, 'validationStatus', a.validation_status, 'qualityScore', a.quality_score)
        order by a.lifecycle_stage, a.artifact_type)
      from eva.lifecycle_stage_config s
      join eva.lifecycle_stage_config ps on ps.phase_number = s.phase_number and ps.stage_number < s.stage_number
      join eva.venture_artifacts a on a.venture_id = v_work.venture_id and a.lifecycle_stage = ps.stage_number
        and a.artifact_type = ps.produces[1] and a.is_current
      where s.stage_number = v_work.lifecycle_stage and s.reality_gate), '[]'::jsonb),
    'knownPatterns', coalesce((
      select pg_catalog.jsonb_agg(pp.pattern_signature order by pp.pattern_signature)
      from eva.portfolio_patterns pp
      where pp.lifecycle_stage = v_work.lifecycle_stage
        and (pp.first_venture_id <> v_work.venture_id or pp.ventures_seen > 1)), '[]'::jsonb),
    -- The knowledge base's anti-patterns at the stage (spec §10), for the DFE's novel_pattern trigger.
    'antiPatterns', coalesce((
      select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('signature', ap.pattern_signature,
        'ventures', ap.ventures, 'died', ap.died, 'rate', ap.rate, 'baseline', ap.baseline)
        order by ap.pattern_signature)
      from eva.portfolio_anti_patterns ap
      where ap.lifecycle_stage = v_work.lifecycle_stage), '[]'::jsonb));
end;
$$;
comment on function eva.fn_begin_stage_run(uuid, text[], text) is
  'Marks a ready (or crashed in_progress) stage work row in_progress under a started task contract and returns its context with the token budget and the contract; defers the run when a circuit breaker is open; null when there is nothing to run.';
grant execute on function eva.fn_begin_stage_run(uuid, text[], text) to eva_service;
