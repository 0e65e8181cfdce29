-- What a retired venture's data export holds (spec §14 step 2): the venture,
-- every artifact version, its decisions, metrics, stage transitions, status
-- history and events up to the retirement's start, in a fixed order so the
-- same saga always packs the same bytes.
create or replace function eva_private.fn_venture_export(p_venture_id uuid, p_events_upto bigint)
returns jsonb
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.jsonb_build_object(
    'format', 'eva.venture_export/1',
    'venture', (select pg_catalog.to_jsonb(v) from eva.ventures v where v.id = p_venture_id),
    'artifacts', coalesce((select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
        'id', a.id, 'stage', a.lifecycle_stage, 'type', a.artifact_type, 'version', a.version, 'isCurrent', a.is_current,
        'qualityScore', a.quality_score, 'validationStatus', a.validation_status,
        'epistemic', a.epistemic_classification, 'content', a.content, 'provenance', a.provenance,
        'createdAt', a.created_at) order by a.lifecycle_stage, a.artifact_type, a.version)
      from eva.venture_artifacts a where a.venture_id = p_venture_id), '[]'::jsonb),
    'decisions', coalesce((select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
        'id', d.id, 'stage', d.lifecycle_stage, 'type', d.decision_type, 'status', d.status, 'decision', d.decision,
        'recommendedAction', d.recommended_action, 'notes', d.notes, 'createdAt', d.created_at, 'decidedAt', d.decided_at)
        order by d.created_at, d.id)
      from eva.chairman_decisions d where d.venture_id = p_venture_id), '[]'::jsonb),
    'metrics', coalesce((select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
        'category', m.category, 'name', m.metric_name, 'value', m.value, 'observedAt', m.observed_at, 'source', m.source)
        order by m.observed_at, m.id)
      from eva.venture_metrics m where m.venture_id = p_venture_id), '[]'::jsonb),
    'transitions', coalesce((select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
        'from', t.from_stage, 'to', t.to_stage, 'type', t.transition_type, 'gateDecision', t.gate_decision,
        'reason', t.reason, 'at', t.created_at) order by t.id)
      from eva.venture_stage_transitions t where t.venture_id = p_venture_id), '[]'::jsonb),
    'stageWork', coalesce((select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
        'stage', w.lifecycle_stage, 'run', w.run_number, 'status', w.status, 'gateDecision', w.gate_decision,
        'gateOutcome', w.gate_outcome) order by w.lifecycle_stage, w.run_number)
      from eva.venture_stage_work w where w.venture_id = p_venture_id), '[]'::jsonb),
    'events', coalesce((select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
        'id', e.id, 'type', e.event_type, 'payload', e.payload, 'at', e.created_at) order by e.id)
      from eva.eva_event_log e where e.venture_id = p_venture_id and e.id <= coalesce(p_events_upto, 0)), '[]'::jsonb));
$$;
comment on function eva_private.fn_venture_export(uuid, bigint) is
  'A venture''s data package (artifacts with versions, decisions, metrics, transitions, stage work, events up to p_events_upto) as JSON, deterministic.';
grant execute on function eva_private.fn_venture_export(uuid, bigint) to eva_service;
