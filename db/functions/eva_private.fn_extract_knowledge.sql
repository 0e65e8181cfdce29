-- The knowledge_extraction handler's write: what the portfolio learns from a
-- gate outcome (gate.evaluated: `gate.<type>.<decision>` at its stage) or a
-- kill (venture.killed: `killed.<archetype>` at the stage it died), into
-- eva.portfolio_patterns, and an eva.insight event saying so. The signatures
-- have no `:` so the DFE's novelty check (archetype:stage:choice) never
-- mistakes them for its own. Other event types teach nothing (null).
create or replace function eva_private.fn_extract_knowledge(p_event_id bigint)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_event eva.eva_event_log;
  v_stage int;
  v_signature text;
  v_pattern eva.portfolio_patterns;
  v_insight jsonb;
begin
  select * into v_event from eva.eva_event_log e where e.id = p_event_id;
  if v_event.id is null or v_event.venture_id is null then
    return null;
  end if;
  v_stage := (v_event.payload ->> 'stage')::int;
  if v_event.event_type = 'gate.evaluated' and v_event.payload ->> 'decision' is not null then
    v_signature := 'gate.' || pg_catalog.lower(coalesce(v_event.payload ->> 'gate_type', 'gate')) || '.'
      || pg_catalog.lower(v_event.payload ->> 'decision');
  elsif v_event.event_type = 'venture.killed' then
    select 'killed.' || pg_catalog.lower(coalesce(v.archetype::text, 'unknown')), coalesce(v_stage, v.current_lifecycle_stage)
    into v_signature, v_stage
    from eva.ventures v where v.id = v_event.venture_id;
  end if;
  if v_signature is null or v_stage is null or v_stage not between 1 and 25 then
    return null;
  end if;
  v_pattern := eva_private.fn_record_portfolio_pattern(v_stage, pg_catalog.left(v_signature, 300), v_event.venture_id);
  v_insight := pg_catalog.jsonb_build_object('source_event_id', v_event.id, 'source_event_type', v_event.event_type,
    'stage', v_stage, 'pattern', v_pattern.pattern_signature, 'ventures_seen', v_pattern.ventures_seen,
    'first', v_pattern.first_seen_at = v_pattern.last_seen_at);
  perform eva_private.fn_log_event('eva.insight', v_event.venture_id, v_insight);
  return v_insight;
end;
$$;
comment on function eva_private.fn_extract_knowledge(bigint) is
  'Knowledge extraction: records the pattern a gate outcome or kill teaches in eva.portfolio_patterns and logs eva.insight; null for events that teach nothing.';
grant execute on function eva_private.fn_extract_knowledge(bigint) to eva_service;
