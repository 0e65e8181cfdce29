-- What engineering reported for a venture's latest sprint, in the shape the
-- Stage 19 and 20 analyses read (spec §9: "Stage 20 consumes SD test
-- results"). Runs as the caller, so RLS decides who may read it.
create or replace function eva.fn_sd_results(p_venture_id uuid)
returns jsonb
language sql
stable
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.jsonb_build_object(
    'sagaId', s.id,
    'status', s.status,
    'currentStep', s.current_step,
    'workId', s.context ->> 'work_id',
    'sprintCompletion', s.context ->> 'sprint_completion',
    'startedAt', s.started_at,
    'timeoutAt', s.timeout_at,
    'completedAt', s.completed_at,
    'total', coalesce(c.total, 0),
    'completed', coalesce(c.completed, 0),
    'succeeded', coalesce(c.succeeded, 0),
    'failed', coalesce(c.failed, 0),
    'blocked', coalesce(c.blocked, 0),
    'items', coalesce(c.items, '[]'::jsonb),
    'totals', pg_catalog.jsonb_build_object(
      'testsPassed', coalesce(c.tests_passed, 0),
      'testsFailed', coalesce(c.tests_failed, 0),
      'coverageAvg', c.coverage_avg))
  from (
    select * from eva.eva_sagas
    where venture_id = p_venture_id and saga_type = 'sd_execution'
    order by started_at desc, id desc
    limit 1
  ) s
  left join lateral (
    select pg_catalog.count(*)::int as total,
           pg_catalog.count(*) filter (where i.status <> 'pending')::int as completed,
           pg_catalog.count(*) filter (where i.status = 'succeeded')::int as succeeded,
           pg_catalog.count(*) filter (where i.status = 'failed')::int as failed,
           pg_catalog.count(*) filter (where i.status = 'blocked')::int as blocked,
           pg_catalog.sum(i.tests_passed)::int as tests_passed,
           pg_catalog.sum(i.tests_failed)::int as tests_failed,
           pg_catalog.round(pg_catalog.avg(i.coverage_pct), 2) as coverage_avg,
           pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
             'id', i.id, 'title', i.title, 'type', i.item_type, 'architectureLayer', i.architecture_layer,
             'milestoneRef', i.milestone_ref, 'status', i.status, 'testsPassed', i.tests_passed,
             'testsFailed', i.tests_failed, 'coveragePct', i.coverage_pct, 'completedAt', i.completed_at,
             'details', i.details)
             order by i.position) as items
    from eva.sd_work_items i
    where i.venture_id = s.venture_id and i.saga_id = s.id and i.kind = 'child'
  ) c on true;
$$;
comment on function eva.fn_sd_results(uuid) is
  'The venture''s latest SD execution saga with its child items'' reports and totals (tests passed/failed, average coverage), or null when engineering was never asked. Read by the Stage 19 and 20 analyses.';
grant execute on function eva.fn_sd_results(uuid) to eva_service, eva_chairman, eva_viewer;
