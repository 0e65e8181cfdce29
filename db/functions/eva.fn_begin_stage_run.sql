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
  v_phase record;
  v_preferences jsonb;
  v_scopes jsonb;
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
  select pb.budget_tokens, pb.consumed_tokens into v_phase from eva.venture_phase_budgets pb
  where pb.venture_id = v_work.venture_id and pb.phase_number = v_budget.phase_number;
  -- The preferences in force, resolved once for both their values and their scopes.
  select coalesce(pg_catalog.jsonb_object_agg(p.key, p.value), '{}'::jsonb),
         coalesce(pg_catalog.jsonb_object_agg(p.key, p.scope), '{}'::jsonb)
  into v_preferences, v_scopes
  from eva.fn_resolve_chairman_preferences(v_work.venture_id) p;
  return eva.fn_stage_context(p_work_id) || pg_catalog.jsonb_build_object(
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
        and (pp.first_venture_id <> v_work.venture_id or pp.ventures_seen > 1)), '[]'::jsonb));
end;
$$;
comment on function eva.fn_begin_stage_run(uuid) is
  'Marks a ready (or crashed in_progress) stage work row in_progress and returns its context with the token budget; null when there is nothing to run.';
grant execute on function eva.fn_begin_stage_run(uuid) to eva_service;
