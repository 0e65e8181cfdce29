-- A decision's synthesized stage output for a person (spec §11 "Chairman
-- sees"; issue 11, point 4): headed sections of plain lines, per decision
-- type, so the dashboard, the CLI and any GraphQL client show the same
-- summary instead of each digging through the raw context. What the context
-- does not hold is said to be missing, never filled in. Runs as the caller:
-- the Stage 25 Assumptions vs Reality report is read under RLS.
create or replace function eva.chairman_decisions_summary(d eva.chairman_decisions)
returns setof eva.decision_summary_section
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
  c jsonb := d.context;
  o jsonb := coalesce(d.context -> 'stage_output', '{}'::jsonb);
  v_lines text[];
  v_item jsonb;
  v_key text;
  v_avr jsonb;
  v_syn jsonb;
begin
  -- The gate's verdict first: it is what put most decisions here.
  if c -> 'gate' ->> 'decision' is not null then
    return next ('Gate', array_remove(array[
      'Verdict: ' || (c -> 'gate' ->> 'decision'),
      'Rationale: ' || (c -> 'gate' ->> 'rationale'),
      'Recommended: ' || (c -> 'gate' ->> 'recommendedAction')], null))::eva.decision_summary_section;
  end if;

  if d.decision_type = 'brand_approval' then
    return next ('Proposed name', array_remove(array[
      coalesce(o #>> '{decision,selectedName}', 'No name was selected')
        || coalesce(' (rank ' || (o ->> 'selectedRank') || ' of ' || pg_catalog.jsonb_array_length(o -> 'ranking') || ')', '')
        || case when (o #>> '{decision,workingTitle}')::boolean then ', a working title until you confirm it' else '' end,
      'Naming strategy: ' || (o ->> 'namingStrategy'),
      o #>> '{decision,rationale}',
      'Availability checks: ' || (select pg_catalog.string_agg(key || ' ' || (value #>> '{}'), ', ' order by key)
        from pg_catalog.jsonb_each(case when pg_catalog.jsonb_typeof(o #> '{decision,availabilityChecks}') = 'object'
          then o #> '{decision,availabilityChecks}' else '{}'::jsonb end))], null))::eva.decision_summary_section;
    select array_agg(
      (r ->> 'rank') || '. ' || (r ->> 'name') || ': ' || coalesce(r ->> 'weightedTotal', '?')
      || coalesce(' (' || (select pg_catalog.string_agg(s.key || ' ' || (s.value #>> '{}'), ', ' order by s.key)
           from pg_catalog.jsonb_array_elements(case when pg_catalog.jsonb_typeof(o -> 'candidates') = 'array' then o -> 'candidates' else '[]'::jsonb end) cand,
                pg_catalog.jsonb_each(case when pg_catalog.jsonb_typeof(cand -> 'scores') = 'object' then cand -> 'scores' else '{}'::jsonb end) s
           where cand ->> 'name' = r ->> 'name') || ')', '')
      order by (r ->> 'rank')::numeric nulls last)
    into v_lines
    from pg_catalog.jsonb_array_elements(case when pg_catalog.jsonb_typeof(o -> 'ranking') = 'array' then o -> 'ranking' else '[]'::jsonb end) r;
    if (select count(*) from pg_catalog.jsonb_array_elements(case when pg_catalog.jsonb_typeof(o -> 'scoringCriteria') = 'array' then o -> 'scoringCriteria' else '[]'::jsonb end)) > 0 then
      v_lines := coalesce(v_lines, '{}') || ('Weights: ' || (select pg_catalog.string_agg((w ->> 'name') || ' ' || (w ->> 'weight') || '%', ', ')
        from pg_catalog.jsonb_array_elements(o -> 'scoringCriteria') w));
    end if;
    return next ('Candidates and scores', coalesce(v_lines, array['No candidates were recorded']))::eva.decision_summary_section;
    return next ('Voice', array_remove(array[
      'Voice: ' || (o #>> '{narrativeExtension,brandVoice}'),
      'Tone: ' || (o #>> '{brandGenome,tone}'),
      'Archetype: ' || (o #>> '{brandGenome,archetype}'),
      'Audience: ' || (o #>> '{brandGenome,audience}'),
      'Values: ' || (select pg_catalog.string_agg(value #>> '{}', ', ') from pg_catalog.jsonb_array_elements(
        case when pg_catalog.jsonb_typeof(o #> '{brandGenome,values}') = 'array' then o #> '{brandGenome,values}' else '[]'::jsonb end))],
      null))::eva.decision_summary_section;
    return next ('Narrative', coalesce(nullif(array_remove(array[
      'Vision: ' || (o #>> '{narrativeExtension,vision}'),
      'Mission: ' || (o #>> '{narrativeExtension,mission}')], null), '{}'), array['No narrative was recorded']))::eva.decision_summary_section;

  elsif d.decision_type = 'release_decision' then
    return next ('Recommendation', array_remove(array[
      'The analysis recommends: ' || coalesce(o #>> '{releaseDecision,decision}', 'nothing recorded'),
      o #>> '{releaseDecision,rationale}',
      'Target date: ' || (o ->> 'targetDate')], null))::eva.decision_summary_section;
    return next ('Quality', array[
      'Quality decision: ' || coalesce(o #>> '{sprintSummary,qualityAssessment,decision}', 'not assessed'),
      'Test pass rate: ' || coalesce((o #>> '{sprintSummary,qualityAssessment,overallPassRate}') || '%', 'not measured'),
      'Coverage: ' || coalesce((o #>> '{sprintSummary,qualityAssessment,coveragePct}') || '%', 'not measured'),
      'Open defects: ' || coalesce(o #>> '{sprintSummary,qualityAssessment,openDefects}', 'not counted')])::eva.decision_summary_section;
    return next ('Review', array[
      'Review decision: ' || coalesce(o #>> '{sprintSummary,integrationStatus,reviewDecision}', 'not reviewed'),
      'Integrations: ' || coalesce(o #>> '{sprintSummary,integrationStatus,passing}', '?') || ' of '
        || coalesce(o #>> '{sprintSummary,integrationStatus,total}', '?') || ' passing, '
        || coalesce(o #>> '{sprintSummary,integrationStatus,degraded}', '?') || ' degraded, '
        || coalesce(o #>> '{sprintSummary,integrationStatus,failing}', '?') || ' failing, '
        || coalesce(o #>> '{sprintSummary,integrationStatus,pending}', '?') || ' pending'])::eva.decision_summary_section;
    v_lines := array_remove(array[
      'Sprint goal: ' || coalesce(o #>> '{sprintSummary,sprintGoal}', 'none recorded'),
      'Items done: ' || coalesce(o #>> '{sprintSummary,itemsCompleted}', '?') || ' of ' || coalesce(o #>> '{sprintSummary,itemsPlanned}', '?')], null);
    if pg_catalog.jsonb_typeof(o -> 'sprintRetrospective') = 'object' then
      v_lines := v_lines
        || coalesce((select array_agg('Went well: ' || (x #>> '{}')) from pg_catalog.jsonb_array_elements(o #> '{sprintRetrospective,wentWell}') x), '{}')
        || coalesce((select array_agg('Went poorly: ' || (x #>> '{}')) from pg_catalog.jsonb_array_elements(o #> '{sprintRetrospective,wentPoorly}') x), '{}');
    end if;
    return next ('Sprint', v_lines)::eva.decision_summary_section;
    if o ->> 'releaseNotes' is not null then
      return next ('Release notes', array[o ->> 'releaseNotes'])::eva.decision_summary_section;
    end if;

  elsif d.decision_type = 'venture_future' then
    return next ('Recommendation', array_remove(array[
      'The analysis recommends: ' || coalesce(o #>> '{ventureDecision,decision}', 'nothing recorded')
        || coalesce(' (' || (o #>> '{ventureDecision,confidence}') || ' confidence)', ''),
      o #>> '{ventureDecision,rationale}',
      'Key factors: ' || (select pg_catalog.string_agg(x #>> '{}', '; ') from pg_catalog.jsonb_array_elements(
        case when pg_catalog.jsonb_typeof(o #> '{ventureDecision,keyFactors}') = 'array' then o #> '{ventureDecision,keyFactors}' else '[]'::jsonb end) x)],
      null))::eva.decision_summary_section;
    return next ('The journey', array_remove(array[
      (select 'Stages passed: ' || count(*) || ' transitions since ' || pg_catalog.to_char(min(t.created_at), 'YYYY-MM-DD')
       from eva.venture_stage_transitions t where t.venture_id = d.venture_id having count(*) > 0),
      o ->> 'reviewSummary',
      'Vision now: ' || (o ->> 'currentVision'),
      'Drift from the original idea: ' || (o #>> '{driftCheck,semanticDrift}')
        || coalesce(' (' || (o #>> '{driftCheck,wordOverlapPct}') || '% of its words kept)', '')], null))::eva.decision_summary_section;
    if pg_catalog.jsonb_typeof(o -> 'ventureHealth') = 'object' then
      return next ('Health', array[
        'Overall: ' || coalesce(o #>> '{ventureHealth,overall}', '?') || '/100 (' || coalesce(o #>> '{ventureHealth,band}', '?') || ')',
        'Product ' || coalesce(o #>> '{ventureHealth,product}', '?') || ', market ' || coalesce(o #>> '{ventureHealth,market}', '?')
          || ', technical ' || coalesce(o #>> '{ventureHealth,technical}', '?') || ', financial ' || coalesce(o #>> '{ventureHealth,financial}', '?')
          || ', team ' || coalesce(o #>> '{ventureHealth,team}', '?')])::eva.decision_summary_section;
    else
      return next ('Health', array['No health score was recorded'])::eva.decision_summary_section;
    end if;
    if pg_catalog.jsonb_typeof(o -> 'financialComparison') = 'object' then
      return next ('Financials', array_remove(array[
        'Revenue against the ' || coalesce(o #>> '{financialComparison,projectionSource}', 'earlier') || ' projection: '
          || coalesce((o #>> '{financialComparison,revenueVariancePct}') || '%', 'not comparable (a side is missing)'),
        'Trajectory: ' || (o #>> '{financialComparison,financialTrajectory}'),
        o #>> '{financialComparison,unitEconomicsAssessment}'], null))::eva.decision_summary_section;
    end if;
    select a.content into v_avr from eva.venture_artifacts a
    where a.venture_id = d.venture_id and a.lifecycle_stage = 25 and a.artifact_type = 'assumptions_reality_report' and a.is_current;
    if v_avr is null then
      return next ('Assumptions vs Reality', array['No Assumptions vs Reality report is recorded for this venture'])::eva.decision_summary_section;
    else
      return next ('Assumptions vs Reality', array[
        coalesce(v_avr #>> '{summary,validated}', '0') || ' validated, ' || coalesce(v_avr #>> '{summary,invalidated}', '0')
          || ' invalidated, ' || coalesce(v_avr #>> '{summary,inconclusive}', '0') || ' inconclusive; assumption error rate '
          || coalesce((v_avr ->> 'assumptionErrorRate'), 'not decidable')]
        || coalesce((select array_agg(coalesce(i ->> 'classification', '?') || ': ' || coalesce(i ->> 'statement', '')
             || coalesce(' (expected ' || (i ->> 'expected') || ', actual ' || coalesce(i ->> 'actual', 'not measured') || ')', ''))
           from pg_catalog.jsonb_array_elements(case when pg_catalog.jsonb_typeof(v_avr -> 'items') = 'array' then v_avr -> 'items' else '[]'::jsonb end) i), '{}')
      )::eva.decision_summary_section;
    end if;

  elsif d.decision_type = 'venture_review' then
    return next ('The brief', array_remove(array[
      'Name: ' || (c #>> '{brief,name}'),
      'Problem: ' || (c #>> '{brief,problemStatement}'),
      'Solution: ' || (c #>> '{brief,solution}'),
      'Market: ' || (c #>> '{brief,targetMarket}'),
      'Moat: ' || (c #>> '{brief,moatStrategy}'),
      'Archetype: ' || (c #>> '{brief,archetype}'),
      'Venture score: ' || (c #>> '{brief,ventureScore}') || '/100',
      'Maturity: ' || (c #>> '{brief,maturity}'),
      'Build estimate: ' || (c #>> '{brief,buildEstimate,months}') || ' months, ' || coalesce(c #>> '{brief,buildEstimate,complexity}', '?') || ' complexity'],
      null))::eva.decision_summary_section;
    -- A brief from the synthesis engine: each component's verdict, and the forecast the venture score is computed from.
    v_syn := c #> '{brief,metadata,synthesis}';
    if pg_catalog.jsonb_typeof(v_syn) = 'object' then
      return next ('Synthesis', array_remove(array[
        'Components judged by ' || case when c ->> 'epistemic' = 'simulation' then 'the offline analyst (simulation)'
          else 'the model (judgement, not a measurement)' end || '; checks marked measured are EVA''s own',
        'Weighted score: ' || coalesce(v_syn ->> 'weighted_score', 'indeterminate') || ' (profile '
          || coalesce(v_syn #>> '{profile,name}', '?') || ' v' || coalesce(v_syn #>> '{profile,version}', '?') || ')',
        'Chairman constraints: ' || (v_syn #>> '{chairman_constraints,verdict}')
          || coalesce(' — ' || (select pg_catalog.string_agg((k ->> 'constraint') || ' ' || (k ->> 'result') || coalesce(' (' || (k ->> 'basis') || ')', '') || ': ' || (k ->> 'detail'), '; ')
               from pg_catalog.jsonb_array_elements(case when pg_catalog.jsonb_typeof(v_syn #> '{chairman_constraints,checks}') = 'array'
                 then v_syn #> '{chairman_constraints,checks}' else '[]'::jsonb end) k where k ->> 'result' <> 'pass'), ''),
        'Time horizon: ' || (v_syn #>> '{time_horizon,position}') || coalesce(' (window about ' || (v_syn #>> '{time_horizon,windowMonths}') || ' months)', ''),
        'Archetype: ' || (v_syn #>> '{archetypes,primary}') || coalesce(' (confidence ' || (v_syn #>> '{archetypes,primaryConfidence}') || ')', ''),
        'Moat: ' || (v_syn #>> '{moat_architecture,primaryMoat,type}') || coalesce(' (moat score ' || (v_syn #>> '{moat_architecture,moatScore}') || ')', ''),
        'Build cost: ' || (v_syn #>> '{build_cost,complexity}') || coalesce(', ' || (v_syn #>> '{build_cost,months}') || ' months', '')
          || coalesce(', about $' || pg_catalog.to_char((v_syn #>> '{build_cost,estimatedCostUsd}')::numeric, 'FM999,999,999,999,990'), ''),
        'Cross-reference: ' || (v_syn #>> '{cross_reference,summary}'),
        'Not scored: ' || nullif((select pg_catalog.string_agg(x #>> '{}', ', ') from pg_catalog.jsonb_array_elements(
          case when pg_catalog.jsonb_typeof(v_syn -> 'missing_components') = 'array' then v_syn -> 'missing_components' else '[]'::jsonb end) x), '')],
        null))::eva.decision_summary_section;
      if pg_catalog.jsonb_typeof(v_syn -> 'forecast') = 'object' then
        return next ('Forecast', array_remove(array[
          'Figures from ' || case when c ->> 'epistemic' = 'simulation' then 'the offline analyst (simulation)'
            else 'the model (judgement, not a measurement)' end,
          'Market: TAM $' || pg_catalog.to_char((v_syn #>> '{forecast,marketSizing,tamUsd}')::numeric, 'FM999,999,999,999,990') || ', SAM $' || pg_catalog.to_char((v_syn #>> '{forecast,marketSizing,samUsd}')::numeric, 'FM999,999,999,999,990')
            || ', SOM $' || pg_catalog.to_char((v_syn #>> '{forecast,marketSizing,somUsd}')::numeric, 'FM999,999,999,999,990'),
          'Revenue, realistic (pessimistic–optimistic): year 1 $' || pg_catalog.to_char((v_syn #>> '{forecast,revenue,year1,realistic}')::numeric, 'FM999,999,999,999,990')
            || ' ($' || pg_catalog.to_char((v_syn #>> '{forecast,revenue,year1,pessimistic}')::numeric, 'FM999,999,999,999,990') || '–$' || pg_catalog.to_char((v_syn #>> '{forecast,revenue,year1,optimistic}')::numeric, 'FM999,999,999,999,990') || ')'
            || ', year 3 $' || pg_catalog.to_char((v_syn #>> '{forecast,revenue,year3,realistic}')::numeric, 'FM999,999,999,999,990'),
          'Unit economics: LTV:CAC ' || (v_syn #>> '{forecast,unitEconomics,ltvToCac,realistic}') || ' (realistic)',
          'Break-even: ' || coalesce('month ' || (v_syn #>> '{forecast,breakEven,months,realistic}'), 'not within the forecast') || ' (realistic)',
          'Users at 3/6/12 months: ' || (v_syn #>> '{forecast,growth,usersMonth3}') || ' / ' || (v_syn #>> '{forecast,growth,usersMonth6}')
            || ' / ' || (v_syn #>> '{forecast,growth,usersMonth12}'),
          'Venture score ' || (v_syn #>> '{forecast,ventureScore,score}') || ', computed from these figures, not asked of the model: revenue '
            || (v_syn #>> '{forecast,ventureScore,parts,revenue}') || ' × 35 %, LTV:CAC ' || (v_syn #>> '{forecast,ventureScore,parts,ltvToCac}')
            || ' × 30 %, break-even speed ' || (v_syn #>> '{forecast,ventureScore,parts,breakEvenSpeed}') || ' × 20 %, forecast confidence '
            || (v_syn #>> '{forecast,ventureScore,parts,forecastConfidence}') || ' × 15 %'],
          null))::eva.decision_summary_section;
      end if;
    elsif pg_catalog.jsonb_typeof(c #> '{brief,forecast,revenue}') = 'array' then
      return next ('Forecast', array[
        'Revenue by year: ' || (select pg_catalog.string_agg(x #>> '{}', ', ') from pg_catalog.jsonb_array_elements(c #> '{brief,forecast,revenue}') x),
        'Costs by year: ' || coalesce((select pg_catalog.string_agg(x #>> '{}', ', ') from pg_catalog.jsonb_array_elements(
          case when pg_catalog.jsonb_typeof(c #> '{brief,forecast,costs}') = 'array' then c #> '{brief,forecast,costs}' else '[]'::jsonb end) x), 'not forecast')])::eva.decision_summary_section;
    end if;
  end if;

  -- The Decision Filter Engine: each trigger with its figure, its threshold and where that threshold comes from.
  for v_item in select t from pg_catalog.jsonb_array_elements(
    case when pg_catalog.jsonb_typeof(d.dfe_triggers) = 'array' then d.dfe_triggers else '[]'::jsonb end) t loop
    v_key := case v_item ->> 'type'
      when 'cost_threshold' then 'cost_threshold' when 'low_score' then 'score_threshold'
      when 'new_tech_vendor' then 'approved_vendors' when 'novel_pattern' then 'novel_pattern_min_portfolio'
      when 'constraint_drift' then 'drift_escalation_severity' end;
    return next ('Trigger: ' || coalesce(v_item ->> 'type', 'unnamed'), array_remove(array[
      case v_item ->> 'type'
        when 'cost_threshold' then 'A cost is above the spending threshold the Chairman set.'
        when 'low_score' then 'A score is below the Chairman''s minimum.'
        when 'new_tech_vendor' then 'The plan names a technology or vendor outside the approved list.'
        when 'novel_pattern' then 'No other venture in the portfolio has produced this pattern at this stage.'
        when 'constraint_drift' then 'The venture drifted from a constraint set earlier.'
        when 'strategic_pivot' then 'The stage changes the venture''s strategy.'
        when 'devils_advocate_challenge' then 'The Devil''s Advocate challenged the stage''s output.'
      end,
      v_item ->> 'detail',
      'Figure: ' || case when pg_catalog.jsonb_typeof(v_item -> 'value') = 'array'
        then (select pg_catalog.string_agg(x #>> '{}', ', ') from pg_catalog.jsonb_array_elements(v_item -> 'value') x)
        else v_item -> 'value' #>> '{}' end,
      case when pg_catalog.jsonb_typeof(v_item -> 'threshold') = 'array'
        then 'Known: ' || coalesce((select pg_catalog.string_agg(x #>> '{}', ', ') from pg_catalog.jsonb_array_elements(v_item -> 'threshold') x), 'none')
        else 'Threshold: ' || (v_item -> 'threshold' #>> '{}') end,
      'Preference ' || v_key || ' = ' || (c -> 'dfe' -> 'thresholds' -> v_key ->> 'raw')
        || coalesce(' (' || (c -> 'dfe' -> 'thresholds' -> v_key ->> 'source') || ')', ''),
      'Missing preference: ' || (v_item ->> 'missingPreference') || ' (set it with eva chairman preferences)'], null))::eva.decision_summary_section;
  end loop;
  if d.decision_type = 'dfe_escalation' or d.dfe_triggers <> '[]'::jsonb then
    return next ('Mitigations', coalesce(
      (select array_agg(case when pg_catalog.jsonb_typeof(m) = 'string' then m #>> '{}'
                             else coalesce(m ->> 'action', m ->> 'description', m::text) end)
       from pg_catalog.jsonb_array_elements(
         case when pg_catalog.jsonb_typeof(d.dfe_mitigations) = 'array' then d.dfe_mitigations else '[]'::jsonb end) m),
      array['The Decision Filter Engine proposed no mitigation']))::eva.decision_summary_section;
  end if;
  if d.decision_type = 'dfe_escalation' and c ->> 'kind' = 'metric_anomaly' then
    return next ('Anomaly', array_remove(array[
      'Metric: ' || (c #>> '{anomaly,metric}'),
      'Detail: ' || (c #>> '{anomaly,detail}')], null))::eva.decision_summary_section;
  end if;
  if d.artifact_type is not null then
    return next ('Source', array['Prepared from ' || d.artifact_type || ' version ' || d.artifact_version
      || ' (Stage ' || d.lifecycle_stage || ')' || coalesce('; ' || coalesce(
           (select a.epistemic_classification::text from eva.venture_artifacts a
            where a.venture_id = d.venture_id and a.artifact_type = d.artifact_type and a.version = d.artifact_version),
           c ->> 'epistemic'), '')])::eva.decision_summary_section;
  end if;
end;
$$;
comment on function eva.chairman_decisions_summary(eva.chairman_decisions) is
  'The decision''s readable summary: the synthesized stage output as headed sections of lines (brand: proposed name, candidates and scores, voice, narrative; release: quality, review, sprint; venture future: journey, health, Assumptions vs Reality; each DFE trigger with its figure, threshold and mitigations).';
grant execute on function eva.chairman_decisions_summary(eva.chairman_decisions) to eva_chairman, eva_service;
