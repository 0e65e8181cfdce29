-- Why a decision is in the Chairman's queue, in one line (issue 11, point 4):
-- the Decision Filter Engine's triggers for an escalation, the stage's own
-- recommendation for a blocking gate. Pure on its inputs, so the trigger that
-- stores it (eva_private.tg_chairman_decisions_queue_columns) and the queue's
-- fallback for older rows agree.
create or replace function eva.fn_decision_reason(p_decision_type text, p_stage int, p_context jsonb)
returns text
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_out jsonb := p_context -> 'stage_output';
  v_triggers text;
  v_line text;
begin
  select pg_catalog.string_agg(coalesce(t ->> 'type', 'trigger') || coalesce(': ' || (t ->> 'detail'), ''), '; ')
  into v_triggers
  from pg_catalog.jsonb_array_elements(
    case when pg_catalog.jsonb_typeof(p_context -> 'dfe' -> 'triggers') = 'array' then p_context -> 'dfe' -> 'triggers' else '[]'::jsonb end) t;

  v_line := case p_decision_type
    when 'dfe_escalation' then
      case when p_context ->> 'kind' = 'metric_anomaly' then 'A post-launch metric anomaly: ' else 'The Decision Filter Engine escalated Stage ' || p_stage || ': ' end
      || coalesce(v_triggers, p_context ->> 'reason', 'no trigger was recorded')
    when 'brand_approval' then
      'Stage 10 brand approval: the proposed name is "' || coalesce(v_out -> 'decision' ->> 'selectedName', 'not recorded') || '"'
      || coalesce(' (weighted total ' || (select r ->> 'weightedTotal' from pg_catalog.jsonb_array_elements(
           case when pg_catalog.jsonb_typeof(v_out -> 'ranking') = 'array' then v_out -> 'ranking' else '[]'::jsonb end) r
           where r ->> 'name' = v_out -> 'decision' ->> 'selectedName' limit 1)
         || ', best of ' || pg_catalog.jsonb_array_length(v_out -> 'ranking') || ' candidates)', '')
    when 'release_decision' then
      'Stage 22 release: quality ' || coalesce(v_out #>> '{sprintSummary,qualityAssessment,decision}', 'not assessed')
      || ', review ' || coalesce(v_out #>> '{sprintSummary,integrationStatus,reviewDecision}', 'not reviewed')
      || ', ' || coalesce(v_out #>> '{sprintSummary,itemsCompleted}', '?') || ' of '
      || coalesce(v_out #>> '{sprintSummary,itemsPlanned}', '?') || ' sprint items done'
      || coalesce('; the analysis recommends ' || (v_out #>> '{releaseDecision,decision}'), '')
    when 'venture_future' then
      'Stage 25 venture future: health ' || coalesce((v_out #>> '{ventureHealth,overall}') || '/100', 'not measured')
      || coalesce(' (' || (v_out #>> '{ventureHealth,band}') || ')', '')
      || coalesce('; the analysis recommends ' || (v_out #>> '{ventureDecision,decision}')
         || coalesce(' with ' || (v_out #>> '{ventureDecision,confidence}') || ' confidence', ''), '')
    when 'venture_review' then
      'Stage 0 review of the brief "' || coalesce(p_context #>> '{brief,name}', 'unnamed') || '"'
      || coalesce(': venture score ' || (p_context #>> '{brief,ventureScore}'), '')
      || coalesce(', maturity ' || (p_context #>> '{brief,maturity}'), '')
    else 'Stage ' || p_stage || ' ' || p_decision_type
  end;
  -- A gate's verdict, when the stage has one, says why in its own words.
  if p_context -> 'gate' ->> 'decision' is not null then
    v_line := v_line || '; gate: ' || (p_context -> 'gate' ->> 'decision');
  end if;
  if v_triggers is not null and p_decision_type <> 'dfe_escalation' then
    v_line := v_line || '; DFE: ' || v_triggers;
  end if;
  return pg_catalog.left(pg_catalog.regexp_replace(v_line, '[\r\n]+', ' ', 'g'), 500);
end;
$$;
comment on function eva.fn_decision_reason(text, int, jsonb) is
  'Why a decision of this type at this stage, with this context, is in the Chairman''s queue: one line of at most 500 characters.';
grant execute on function eva.fn_decision_reason(text, int, jsonb) to eva_chairman, eva_service, eva_viewer;
