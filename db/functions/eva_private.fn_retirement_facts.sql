-- What the retrospective analyses: how the venture ended (stage of death,
-- kill reason, who ended it) and the gate signals of its runs.
create or replace function eva_private.fn_retirement_facts(p_saga_id uuid)
returns jsonb
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.jsonb_build_object(
    'ventureId', v.id, 'name', v.name, 'archetype', v.archetype, 'description', v.description,
    'problemStatement', v.problem_statement, 'targetMarket', v.target_market,
    'endedAs', s.context ->> 'ended_as', 'reason', s.context ->> 'reason',
    'killSource', s.context ->> 'kill_source',
    'stageOfDeath', (s.context ->> 'stage_of_death')::int,
    'gateSignals', coalesce((select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
        'stage', w.lifecycle_stage, 'run', w.run_number, 'decision', w.gate_decision,
        'reason', coalesce(w.gate_outcome ->> 'reason', w.gate_outcome ->> 'summary'),
        'failedChecks', w.gate_outcome -> 'failedChecks') order by w.lifecycle_stage, w.run_number)
      from eva.venture_stage_work w where w.venture_id = v.id and w.gate_decision is not null), '[]'::jsonb),
    'stagesReached', (select pg_catalog.max(w.lifecycle_stage) from eva.venture_stage_work w where w.venture_id = v.id),
    'artifactCount', (select pg_catalog.count(*) from eva.venture_artifacts a where a.venture_id = v.id))
  from eva.eva_sagas s join eva.ventures v on v.id = s.venture_id
  where s.id = p_saga_id;
$$;
comment on function eva_private.fn_retirement_facts(uuid) is
  'The facts a retirement retrospective reads: how and where the venture ended and its gates'' signals.';
grant execute on function eva_private.fn_retirement_facts(uuid) to eva_service;
