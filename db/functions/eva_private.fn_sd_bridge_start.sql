-- The SD bridge (spec §9, §15 SD Execution Saga steps 1-2): the sprint plan a
-- Stage 18 run just wrote becomes engineering's work, one orchestrator for the
-- sprint and one child per sprint item, and an sd_execution saga that waits
-- for every child's report. Called by the stage engine in the transaction that
-- records the Stage 18 result; a second call for the same run (a retried job)
-- returns the saga the first one made.
create or replace function eva_private.fn_sd_bridge_start(p_work_id uuid)
returns uuid
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_work eva.venture_stage_work;
  v_venture eva.ventures;
  v_plan eva.venture_artifacts;
  v_saga_id uuid;
  v_orchestrator_id uuid;
  v_bridge jsonb;
  v_items jsonb;
  v_item jsonb;
  v_plan_item jsonb;
  v_position int := 0;
  v_total int;
  v_timeout_pref text;
  v_timeout_days numeric;
begin
  -- Serializes concurrent starts for the same run (the stage engine already holds this lock).
  select * into v_work from eva.venture_stage_work where id = p_work_id for update;
  if not found then
    raise exception 'stage work % does not exist', p_work_id using errcode = 'EV404';
  end if;
  if v_work.lifecycle_stage <> 18 then
    raise exception 'the SD bridge starts from a Stage 18 (Sprint Planning) run, not from stage %', v_work.lifecycle_stage
      using errcode = 'EV400';
  end if;

  select i.saga_id into v_saga_id from eva.sd_work_items i
  where i.venture_id = v_work.venture_id and i.stage_work_id = v_work.id and i.position = 0;
  if found then
    return v_saga_id;
  end if;

  select * into v_plan from eva.venture_artifacts a
  where a.venture_id = v_work.venture_id and a.lifecycle_stage = 18 and a.artifact_type = 'sprint_plan'
    and a.stage_work_id = v_work.id and a.is_current;
  if not found then
    raise exception 'Stage 18 run % has no current sprint_plan artifact: the SD bridge has nothing to convert', p_work_id
      using errcode = 'EV404', hint = 'Record the run''s sprint_plan first; a plan that is no longer current is not bridged.';
  end if;
  select * into v_venture from eva.ventures where id = v_work.venture_id;

  -- The derived sdBridgeOutput is what engineering receives; a plan without it
  -- (an older artifact version) is bridged from its sprint items.
  v_bridge := case when pg_catalog.jsonb_typeof(v_plan.content -> 'sdBridgeOutput') = 'object'
    then v_plan.content -> 'sdBridgeOutput' else '{}'::jsonb end;
  v_items := case
    when pg_catalog.jsonb_typeof(v_bridge -> 'children') = 'array' and pg_catalog.jsonb_array_length(v_bridge -> 'children') > 0
      then v_bridge -> 'children'
    when pg_catalog.jsonb_typeof(v_plan.content -> 'sprintItems') = 'array'
      then v_plan.content -> 'sprintItems'
    else '[]'::jsonb end;
  v_total := pg_catalog.jsonb_array_length(v_items);
  if v_total = 0 then
    raise exception 'the sprint_plan of Stage 18 run % has no sprint items: there is nothing for engineering to build', p_work_id
      using errcode = 'EV400';
  end if;

  -- The venture's own timeout wins over the global one; anything but a number
  -- of days from 0 (exclusive) to 3650 means the default.
  select p.value into v_timeout_pref from eva.chairman_preferences p
  where p.key = 'sd_timeout_days' and (p.scope = 'global' or p.venture_id = v_work.venture_id)
  order by (p.scope = 'venture') desc
  limit 1;
  -- Nested so the cast runs only on a number.
  v_timeout_days := case when v_timeout_pref ~ '^\s*[0-9]+(\.[0-9]+)?\s*$' then
    case when v_timeout_pref::numeric > 0 and v_timeout_pref::numeric <= 3650 then v_timeout_pref::numeric end end;
  v_timeout_days := coalesce(v_timeout_days, 7);

  -- On the saga engine (SQL-driven): bridge_create is this transaction, the
  -- return path (eva.fn_sd_complete) records the rest.
  insert into eva.eva_sagas (venture_id, saga_type, current_step, status, context, timeout_at, steps, driver)
  values (v_work.venture_id, 'sd_execution', 'await_completion', 'active',
    pg_catalog.jsonb_build_object('total', v_total, 'completed', 0, 'succeeded', 0, 'failed', 0, 'blocked', 0,
      'work_id', v_work.id, 'artifact_id', v_plan.id, 'artifact_version', v_plan.version,
      'timeout_days', v_timeout_days, 'failures', '[]'::jsonb),
    pg_catalog.now() + v_timeout_days * interval '1 day',
    array['bridge_create', 'await_completion', 'collect_results', 'update_stage', 'advance'], 'sql')
  returning id into v_saga_id;

  -- A new sprint replaces one still waiting (Stage 18 re-run): the old saga's
  -- late reports must not release Stage 19 for the new sprint.
  update eva.eva_sagas s
  set status = 'failed', context = s.context || pg_catalog.jsonb_build_object('superseded_by', v_saga_id)
  where s.venture_id = v_work.venture_id and s.saga_type = 'sd_execution' and s.status in ('active', 'paused')
    and s.id <> v_saga_id;

  insert into eva.sd_work_items (venture_id, saga_id, stage_work_id, kind, position, title, details)
  values (v_work.venture_id, v_saga_id, v_work.id, 'orchestrator', 0,
    coalesce(nullif(pg_catalog.btrim(v_bridge #>> '{orchestrator,title}'), ''),
      v_venture.name || ' — sprint ' || v_work.run_number),
    pg_catalog.jsonb_build_object('venture_id', v_venture.id, 'venture_name', v_venture.name,
      'sprint_name', 'sprint ' || v_work.run_number,
      'sprint_goal', coalesce(v_bridge #>> '{orchestrator,sprintGoal}', v_plan.content ->> 'sprintGoal')))
  returning id into v_orchestrator_id;

  for v_item in select * from pg_catalog.jsonb_array_elements(v_items) loop
    v_position := v_position + 1;
    -- Children carry no milestone: it is read from the sprint item of the same title.
    select e.value into v_plan_item
    from pg_catalog.jsonb_array_elements(
      case when pg_catalog.jsonb_typeof(v_plan.content -> 'sprintItems') = 'array'
        then v_plan.content -> 'sprintItems' else '[]'::jsonb end) e
    where e.value ->> 'title' = v_item ->> 'title'
    limit 1;
    insert into eva.sd_work_items (venture_id, saga_id, stage_work_id, parent_id, kind, position, title, item_type,
      estimated_loc, acceptance_criteria, architecture_layer, milestone_ref, details)
    values (v_work.venture_id, v_saga_id, v_work.id, v_orchestrator_id, 'child', v_position,
      coalesce(nullif(pg_catalog.btrim(v_item ->> 'title'), ''), 'Sprint item ' || v_position),
      coalesce(v_item ->> 'type', v_plan_item ->> 'type', 'feature'),
      case when pg_catalog.jsonb_typeof(v_item -> 'estimatedLoc') = 'number'
        then pg_catalog.round((v_item ->> 'estimatedLoc')::numeric)::int end,
      case when pg_catalog.jsonb_typeof(v_item -> 'acceptanceCriteria') = 'array'
        then v_item -> 'acceptanceCriteria' else '[]'::jsonb end,
      coalesce(v_item ->> 'architectureLayer', v_plan_item ->> 'architectureLayer'),
      coalesce(v_item ->> 'milestoneRef', v_plan_item ->> 'milestoneRef'),
      case when v_plan_item ->> 'description' is not null
        then pg_catalog.jsonb_build_object('description', v_plan_item ->> 'description') else '{}'::jsonb end);
    v_plan_item := null;
  end loop;

  perform eva_private.fn_saga_note_step(v_saga_id, 'bridge_create', 'completed', pg_catalog.jsonb_build_object(
    'orchestrator', v_orchestrator_id, 'children', v_total, 'work_id', v_work.id, 'artifact_version', v_plan.version));
  perform eva_private.fn_log_event('sd.bridge_created', v_work.venture_id, pg_catalog.jsonb_build_object(
    'saga_id', v_saga_id, 'work_id', v_work.id, 'orchestrator', v_orchestrator_id, 'children', v_total,
    'artifact_version', v_plan.version,
    'source', case when v_items = v_bridge -> 'children' then 'sdBridgeOutput' else 'sprintItems' end));
  return v_saga_id;
end;
$$;
comment on function eva_private.fn_sd_bridge_start(uuid) is
  'SD bridge: from a Stage 18 run''s current sprint_plan, creates one orchestrator and one child work item per sprint item (sdBridgeOutput, else sprintItems) and an active sd_execution saga waiting for their reports (timeout: the sd_timeout_days preference, default 7); an earlier sprint''s saga still waiting is superseded (failed). Returns the saga id; a second call for the same run returns the same saga.';
