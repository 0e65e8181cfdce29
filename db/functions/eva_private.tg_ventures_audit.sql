-- Every venture creation, status change and stage change leaves a history
-- row and an event, whichever path made it.
create or replace function eva_private.tg_ventures_audit()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_reason text := nullif(pg_catalog.current_setting('eva.change_reason', true), '');
begin
  if tg_op = 'INSERT' then
    insert into eva.venture_state_history (venture_id, from_status, to_status, reason, actor)
    values (new.id, null, new.status, coalesce(v_reason, 'venture created'), eva_private.fn_caller_role());
    perform eva_private.fn_log_event('venture.created', new.id, pg_catalog.jsonb_build_object(
      'name', new.name, 'status', new.status, 'stage', new.current_lifecycle_stage, 'archetype', new.archetype));
    return null;
  end if;

  if new.status is distinct from old.status then
    -- An ended venture has no work left to do.
    if new.status in ('killed', 'sunset', 'exited') then
      update eva.venture_stage_work set status = 'superseded', blocked_reason = null
      where venture_id = new.id and status in ('ready', 'scheduled', 'in_progress', 'blocked', 'awaiting_decision');
    end if;
    insert into eva.venture_state_history (venture_id, from_status, to_status, reason, actor)
    values (new.id, old.status, new.status, v_reason, eva_private.fn_caller_role());
    perform eva_private.fn_log_event(
      'venture.' || case new.status when 'active' then 'activated' else new.status::text end,
      new.id,
      pg_catalog.jsonb_build_object('from_status', old.status, 'to_status', new.status, 'reason', v_reason,
        'stage', new.current_lifecycle_stage)
      -- The Chairman's decision that ended it, for the retirement saga started from this event.
      || case when new.status in ('killed', 'sunset', 'exited')
           and nullif(pg_catalog.current_setting('eva.ending_decision', true), '') is not null
         then pg_catalog.jsonb_build_object('decision_id', pg_catalog.current_setting('eva.ending_decision', true))
         else '{}'::jsonb end);
  end if;

  if new.current_lifecycle_stage is distinct from old.current_lifecycle_stage then
    perform eva_private.fn_log_event('stage.entered', new.id, pg_catalog.jsonb_build_object(
      'from_stage', old.current_lifecycle_stage, 'to_stage', new.current_lifecycle_stage, 'reason', v_reason));
  end if;
  return null;
end;
$$;
comment on function eva_private.tg_ventures_audit() is 'Trigger: writes venture_state_history and events for venture creation, status and stage changes; supersedes the open work of an ended venture.';

create or replace trigger _800_audit after insert or update on eva.ventures
  for each row execute function eva_private.tg_ventures_audit();
