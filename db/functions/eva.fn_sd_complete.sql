-- The return path (spec §9, §15 SD Execution Saga): engineering reports each
-- child directive once, with its status and test results. Failures are
-- recorded and the saga keeps waiting for the others; the last report closes
-- the orchestrator and the saga and makes the venture's Stage 19 run ready
-- (its job is queued by trigger), all in the reporting transaction.
create or replace function eva.fn_sd_complete(
  p_item_id uuid,
  p_status text,
  p_tests_passed int,
  p_tests_failed int,
  p_coverage numeric,
  p_details jsonb default '{}'
)
returns eva.sd_work_items
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_item eva.sd_work_items;
  v_saga eva.eva_sagas;
  v_counts record;
  v_context jsonb;
  v_stage19 uuid;
begin
  if p_status is null or p_status not in ('succeeded', 'failed', 'blocked') then
    raise exception 'an SD completes as succeeded, failed or blocked, not %', coalesce('"' || p_status || '"', 'null')
      using errcode = 'EV400';
  end if;
  if p_tests_passed is null or p_tests_failed is null or p_tests_passed < 0 or p_tests_failed < 0 then
    raise exception 'test counts must be whole numbers of 0 or more (passed %, failed %)',
      coalesce(p_tests_passed::text, 'missing'), coalesce(p_tests_failed::text, 'missing')
      using errcode = 'EV400';
  end if;
  if p_coverage is not null and (p_coverage < 0 or p_coverage > 100) then
    raise exception 'coverage is a percentage from 0 to 100, not %', p_coverage using errcode = 'EV400';
  end if;
  if p_details is not null and pg_catalog.jsonb_typeof(p_details) <> 'object' then
    raise exception 'details must be a JSON object, not a %', pg_catalog.jsonb_typeof(p_details) using errcode = 'EV400';
  end if;

  select * into v_item from eva.sd_work_items where id = p_item_id;
  if not found then
    raise exception 'SD work item % does not exist', p_item_id using errcode = 'EV404';
  end if;
  if v_item.kind <> 'child' then
    raise exception 'SD work item % is the sprint''s orchestrator: engineering reports its child items, and the orchestrator completes with the last of them', p_item_id
      using errcode = 'EV400';
  end if;

  -- The saga first, then the item: concurrent reports of one sprint queue here,
  -- so each counts what the others committed before it.
  select * into v_saga from eva.eva_sagas where id = v_item.saga_id for update;
  select * into v_item from eva.sd_work_items where id = p_item_id for update;
  if v_item.status <> 'pending' then
    raise exception 'SD work item "%" was already reported as % (%): a report is made once', v_item.title, v_item.status,
      pg_catalog.to_char(v_item.completed_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')
      using errcode = 'EV409';
  end if;
  if v_saga.status not in ('active', 'paused') then
    raise exception 'the SD execution saga of "%" is %: it takes no more reports%', v_item.title, v_saga.status,
      case when v_saga.context ? 'superseded_by' then ' (a newer sprint superseded it)' else '' end
      using errcode = 'EV409';
  end if;

  update eva.sd_work_items
  set status = p_status, tests_passed = p_tests_passed, tests_failed = p_tests_failed, coverage_pct = p_coverage,
      details = details || coalesce(p_details, '{}'::jsonb), completed_at = pg_catalog.now()
  where id = v_item.id
  returning * into v_item;

  perform eva_private.fn_log_event('sd.completed', v_item.venture_id, pg_catalog.jsonb_build_object(
    'item', v_item.id, 'saga_id', v_item.saga_id, 'title', v_item.title, 'status', v_item.status,
    'tests', pg_catalog.jsonb_build_object('passed', v_item.tests_passed, 'failed', v_item.tests_failed,
      'coverage', v_item.coverage_pct)));

  select pg_catalog.count(*)::int as total,
         pg_catalog.count(*) filter (where i.status <> 'pending')::int as completed,
         pg_catalog.count(*) filter (where i.status = 'succeeded')::int as succeeded,
         pg_catalog.count(*) filter (where i.status = 'failed')::int as failed,
         pg_catalog.count(*) filter (where i.status = 'blocked')::int as blocked,
         coalesce(pg_catalog.sum(i.tests_passed), 0)::int as tests_passed,
         coalesce(pg_catalog.sum(i.tests_failed), 0)::int as tests_failed,
         pg_catalog.round(pg_catalog.avg(i.coverage_pct), 2) as coverage_avg,
         coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('item', i.id, 'title', i.title, 'status', i.status)
           order by i.position) filter (where i.status in ('failed', 'blocked')), '[]'::jsonb) as failures
  into v_counts
  from eva.sd_work_items i
  where i.venture_id = v_item.venture_id and i.saga_id = v_item.saga_id and i.kind = 'child';

  v_context := v_saga.context || pg_catalog.jsonb_build_object('total', v_counts.total, 'completed', v_counts.completed,
    'succeeded', v_counts.succeeded, 'failed', v_counts.failed, 'blocked', v_counts.blocked,
    'failures', v_counts.failures);

  if v_counts.completed < v_counts.total then
    update eva.eva_sagas set context = v_context where id = v_saga.id;
    return v_item;
  end if;

  -- Every child has reported: the sprint is complete, or partial when some did not succeed (spec §15).
  v_context := v_context || pg_catalog.jsonb_build_object(
    'sprint_completion', case when v_counts.succeeded = v_counts.total then 'complete' else 'partial' end,
    'tests', pg_catalog.jsonb_build_object('passed', v_counts.tests_passed, 'failed', v_counts.tests_failed,
      'coverage_avg', v_counts.coverage_avg));

  update eva.sd_work_items
  set status = case when v_counts.succeeded = v_counts.total then 'succeeded'
                    when v_counts.failed > 0 then 'failed' else 'blocked' end,
      tests_passed = v_counts.tests_passed, tests_failed = v_counts.tests_failed, coverage_pct = v_counts.coverage_avg,
      details = details || pg_catalog.jsonb_build_object('succeeded', v_counts.succeeded, 'failed', v_counts.failed,
        'blocked', v_counts.blocked),
      completed_at = pg_catalog.now()
  where venture_id = v_item.venture_id and saga_id = v_item.saga_id and kind = 'orchestrator' and status = 'pending';

  -- The stage engine left Stage 19 blocked, waiting for engineering; it may run now.
  update eva.venture_stage_work set status = 'ready', blocked_reason = null
  where venture_id = v_item.venture_id and lifecycle_stage = 19 and status = 'blocked'
  returning id into v_stage19;

  -- The return path's steps on the saga engine, all in this transaction.
  perform eva_private.fn_saga_note_step(v_saga.id, 'await_completion', 'completed', pg_catalog.jsonb_build_object(
    'total', v_counts.total, 'succeeded', v_counts.succeeded, 'failed', v_counts.failed, 'blocked', v_counts.blocked));
  perform eva_private.fn_saga_note_step(v_saga.id, 'collect_results', 'completed', pg_catalog.jsonb_build_object(
    'tests', v_context -> 'tests', 'failures', v_counts.failures));
  perform eva_private.fn_saga_note_step(v_saga.id, 'update_stage', 'completed', pg_catalog.jsonb_build_object(
    'sprint_completion', v_context ->> 'sprint_completion', 'stage19_work_id', v_stage19));
  if v_stage19 is not null then
    perform eva_private.fn_saga_note_step(v_saga.id, 'advance', 'completed',
      pg_catalog.jsonb_build_object('stage19_work_id', v_stage19, 'released', 'Stage 19 ready'));
  else
    perform eva_private.fn_saga_note_step(v_saga.id, 'advance', 'skipped',
      pg_catalog.jsonb_build_object('reason', 'no blocked Stage 19 run waited for this sprint'));
  end if;

  -- current_step stays update_stage, as before the engine (fn_sd_results reads
  -- it): Stage 19, released by advance, writes the results into its artifacts.
  update eva.eva_sagas
  set current_step = 'update_stage', status = 'completed', completed_at = pg_catalog.now(), context = v_context
  where id = v_saga.id;

  perform eva_private.fn_log_event('saga.completed', v_item.venture_id, pg_catalog.jsonb_build_object(
    'saga_id', v_saga.id, 'saga_type', v_saga.saga_type, 'sprint_completion', v_context ->> 'sprint_completion',
    'total', v_counts.total, 'succeeded', v_counts.succeeded, 'failed', v_counts.failed, 'blocked', v_counts.blocked,
    'tests', v_context -> 'tests', 'stage19_work_id', v_stage19));
  return v_item;
end;
$$;
comment on function eva.fn_sd_complete(uuid, text, int, int, numeric, jsonb) is
  'Engineering''s report of one child SD (succeeded, failed or blocked, with test counts and coverage), made once. Updates the sd_execution saga''s counts; the last report completes the orchestrator and the saga (sprint_completion complete or partial) and makes the venture''s blocked Stage 19 run ready. Refuses unknown items (EV404), the orchestrator and bad input (EV400), and a second report (EV409).';
grant execute on function eva.fn_sd_complete(uuid, text, int, int, numeric, jsonb) to eva_service;
