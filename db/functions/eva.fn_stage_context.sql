-- Everything a stage's analysis may read, in one round trip: the work row,
-- the venture's Stage 1 idea, the stage's config, the current artifacts its
-- contract names (and nothing else), what the contract misses, and feedback
-- for a re-run. Runs as the caller, so RLS applies. PL/pgSQL around one
-- query: a SQL function's query is planned anew on every call (here ~5 ms of
-- each stage run); PL/pgSQL keeps the plan for the session.
create or replace function eva.fn_stage_context(p_work_id uuid)
returns jsonb
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$ begin return (
  select pg_catalog.jsonb_build_object(
    'work', pg_catalog.jsonb_build_object('id', w.id, 'ventureId', w.venture_id, 'stage', w.lifecycle_stage,
      'runNumber', w.run_number, 'status', w.status, 'attempts', w.attempts,
      'asOf', pg_catalog.to_char(w.created_at at time zone 'UTC', 'YYYY-MM-DD')),
    'venture', pg_catalog.jsonb_build_object('id', v.id, 'name', v.name, 'archetype', v.archetype,
      'description', v.description, 'problemStatement', v.problem_statement, 'valueProp', v.value_prop,
      'targetMarket', v.target_market, 'keyAssumptions', pg_catalog.to_jsonb(v.key_assumptions),
      'successCriteria', pg_catalog.to_jsonb(v.success_criteria), 'moatStrategy', v.moat_strategy,
      'status', v.status, 'stage', v.current_lifecycle_stage),
    'stage', pg_catalog.jsonb_build_object('number', s.stage_number, 'name', s.stage_name, 'phase', s.phase_number,
      'gateType', s.gate_type, 'chairmanGate', s.chairman_gate, 'realityGate', s.reality_gate, 'dependsOn', pg_catalog.to_jsonb(s.depends_on),
      'requiredArtifacts', pg_catalog.to_jsonb(s.required_artifacts), 'produces', pg_catalog.to_jsonb(s.produces)),
    'artifacts', coalesce((
      select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('stage', a.lifecycle_stage, 'type', a.artifact_type,
        'version', a.version, 'content', a.content, 'qualityScore', a.quality_score) order by a.lifecycle_stage)
      from eva.venture_artifacts a
      where a.venture_id = w.venture_id and a.is_current and a.validation_status = 'validated'
        and a.artifact_type = any (s.required_artifacts)), '[]'::jsonb),
    'missing', coalesce((
      select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('artifactType', req.t,
        'reason', coalesce(a.validation_status::text, 'absent')) order by req.t)
      from pg_catalog.unnest(s.required_artifacts) as req(t)
      left join eva.venture_artifacts a
        on a.venture_id = w.venture_id and a.artifact_type = req.t and a.is_current
      where a.id is null or a.validation_status <> 'validated'), '[]'::jsonb),
    'chairmanDecisions', coalesce((
      select pg_catalog.jsonb_object_agg(x.lifecycle_stage::text, x.decision)
      from (select distinct on (d.lifecycle_stage) d.lifecycle_stage, d.decision
            from eva.chairman_decisions d
            join eva.lifecycle_stage_config cs on cs.stage_number = d.lifecycle_stage
              and cs.chairman_decision_type = d.decision_type
            where d.venture_id = w.venture_id and d.status = 'decided'
            order by d.lifecycle_stage, d.decided_at desc) x), '{}'::jsonb),
    'engineering', case when w.lifecycle_stage in (19, 20) then eva.fn_sd_results(w.venture_id) end,
    'measurements', case when w.lifecycle_stage = 24 then eva.fn_cycle_metrics(w.id) end,
    'feedback', coalesce((
      select pg_catalog.jsonb_agg(f.text order by f.at)
      from (
        select d.decided_at as at,
          'The Chairman decided "' || d.decision || '" at stage ' || d.lifecycle_stage
            || coalesce(': ' || d.notes, '') as text
        from eva.chairman_decisions d
        where d.venture_id = w.venture_id and d.lifecycle_stage = w.lifecycle_stage and d.status = 'decided'
          and d.decision_type <> 'dfe_escalation'
          and exists (select 1 from eva.chairman_decision_options o
                      where o.decision_type = d.decision_type and o.decision = d.decision and o.outcome <> 'approval')
        union all
        select pw.completed_at, 'Run ' || pw.run_number || ' ended with gate decision "' || pw.gate_decision || '"'
          || coalesce(': ' || (pw.gate_outcome ->> 'rationale'), '')
        from eva.venture_stage_work pw
        where pw.venture_id = w.venture_id and pw.lifecycle_stage = w.lifecycle_stage and pw.run_number < w.run_number
          and pw.gate_decision is not null
        union all
        -- An open Reality Gate Retry saga's failures (spec §15), each to the stages its failed checks name.
        select (rf.value ->> 'at')::timestamptz,
          'Previous output failed the stage ' || (rs.context ->> 'boundary') || ' reality gate ('
            || case when (rf.value ->> 'attempt')::int = 0 then 'first evaluation' else 'retry ' || (rf.value ->> 'attempt') end
            || '): ' || pg_catalog.string_agg((rc.value ->> 'detail') || coalesce(' — ' || (rc.value ->> 'nextAction'), ''),
              '; ' order by rc.ordinality) || '. Regenerate this stage''s artifact addressing it.'
        from eva.eva_sagas rs
        cross join lateral pg_catalog.jsonb_array_elements(rs.context -> 'failures') with ordinality rf
        cross join lateral pg_catalog.jsonb_array_elements(rf.value -> 'failedChecks') with ordinality rc
        where rs.venture_id = w.venture_id and rs.saga_type = 'reality_gate_retry' and rs.status in ('active', 'paused')
          and (rc.value ->> 'stage')::int = w.lifecycle_stage
        group by rs.id, rs.context, rf.ordinality, rf.value
      ) f), '[]'::jsonb)
  )
  from eva.venture_stage_work w
  join eva.ventures v on v.id = w.venture_id
  join eva.lifecycle_stage_config s on s.stage_number = w.lifecycle_stage
  where w.id = p_work_id
); end $$;
comment on function eva.fn_stage_context(uuid) is
  'The context of a stage run as JSON: work, venture, stage config, the current validated artifacts its contract names, what is missing, and re-run feedback.';
grant execute on function eva.fn_stage_context(uuid) to eva_service, eva_chairman;
