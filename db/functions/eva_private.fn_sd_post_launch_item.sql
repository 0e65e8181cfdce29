-- Post-launch work through the SD bridge (spec §9, §14): an enhancement (a KPI
-- in decline) or a bugfix (a reported bug) becomes one orchestrator and one
-- child work item in an sd_execution saga of its own, so engineering lists and
-- reports it like sprint work (eva sd list, eva.fn_sd_complete). It never
-- supersedes a Stage 18 sprint, and a venture still building (before Stage 20)
-- is refused: its sprint is where the work belongs, and completing this saga
-- must not release Stage 19.
create or replace function eva_private.fn_sd_post_launch_item(p_venture uuid, p_kind text, p_title text, p_details jsonb)
returns eva.sd_work_items
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_venture eva.ventures;
  v_work_id uuid;
  v_saga_id uuid;
  v_orchestrator_id uuid;
  v_title text := pg_catalog.btrim(p_title);
  v_child eva.sd_work_items;
begin
  if p_kind is null or p_kind not in ('enhancement', 'bugfix') then
    raise exception 'a post-launch SD item is an enhancement or a bugfix, not %', coalesce(p_kind, 'null') using errcode = 'EV400';
  end if;
  if v_title is null or pg_catalog.char_length(v_title) not between 1 and 400 then
    raise exception 'the title is required, 1-400 characters' using errcode = 'EV400';
  end if;
  select * into v_venture from eva.ventures where id = p_venture for no key update;
  if not found then
    raise exception 'venture % does not exist', coalesce(p_venture::text, 'null') using errcode = 'EV404';
  end if;
  if v_venture.status in ('killed', 'sunset', 'exited') then
    raise exception 'venture "%" is %: it takes no more engineering work', v_venture.name, v_venture.status using errcode = 'EV409';
  end if;
  if v_venture.current_lifecycle_stage < 20 then
    raise exception 'venture "%" is at stage %, still building: post-launch SD items start after Sprint Execution (Stage 19); add the work to its sprint',
      v_venture.name, v_venture.current_lifecycle_stage using errcode = 'EV409';
  end if;
  select w.id into v_work_id from eva.venture_stage_work w
  where w.venture_id = p_venture order by w.created_at desc, w.run_number desc limit 1;

  insert into eva.eva_sagas (venture_id, saga_type, current_step, status, context, timeout_at)
  values (p_venture, 'sd_execution', 'await_completion', 'active',
    pg_catalog.jsonb_build_object('origin', 'post_launch', 'kind', p_kind, 'total', 1, 'completed', 0, 'succeeded', 0,
      'failed', 0, 'blocked', 0, 'work_id', v_work_id, 'failures', '[]'::jsonb),
    pg_catalog.now() + interval '7 days')
  returning id into v_saga_id;
  insert into eva.sd_work_items (venture_id, saga_id, stage_work_id, kind, position, title, details)
  values (p_venture, v_saga_id, v_work_id, 'orchestrator', 0, pg_catalog.left(v_venture.name || ' — ' || p_kind || ': ' || v_title, 500),
    pg_catalog.jsonb_build_object('venture_id', p_venture, 'venture_name', v_venture.name, 'origin', 'post_launch', 'kind', p_kind))
  returning id into v_orchestrator_id;
  insert into eva.sd_work_items (venture_id, saga_id, stage_work_id, parent_id, kind, position, title, item_type, details)
  values (p_venture, v_saga_id, v_work_id, v_orchestrator_id, 'child', 1, v_title,
    case p_kind when 'bugfix' then 'bugfix' else 'feature' end,
    coalesce(p_details, '{}'::jsonb) || pg_catalog.jsonb_build_object('origin', 'post_launch', 'kind', p_kind))
  returning * into v_child;
  perform eva_private.fn_log_event('sd.bridge_created', p_venture, pg_catalog.jsonb_build_object(
    'saga_id', v_saga_id, 'work_id', v_work_id, 'orchestrator', v_orchestrator_id, 'children', 1,
    'source', 'post_launch', 'kind', p_kind, 'item', v_child.id, 'title', v_title));
  return v_child;
end;
$$;
comment on function eva_private.fn_sd_post_launch_item(uuid, text, text, jsonb) is
  'Post-launch SD work (enhancement or bugfix): one orchestrator + one child item in its own sd_execution saga; refused before Stage 20 (EV409) and for ended ventures (EV409).';
