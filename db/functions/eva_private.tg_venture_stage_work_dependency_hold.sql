-- Whichever path makes stage work ready (a venture created, a stage advanced,
-- a decision applied, a retry, an ops cycle), a hard dependency that is not
-- met keeps it from being dispatched: the row is written as blocked, with the
-- reason naming the provider, so no stage_run job is queued (spec §5, "checks
-- venture_dependencies before dispatching work"). An unmet soft dependency
-- lets it run and logs a dependency.warning event.
create or replace function eva_private.tg_venture_stage_work_dependency_hold()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_reason text;
begin
  if new.status <> 'blocked' then
    new.blocked_on_dependency := false;
  end if;
  if new.status = 'ready' and (tg_op = 'INSERT' or old.status is distinct from 'ready') then
    -- Most ventures depend on none: one cached index probe, and nothing more.
    if not exists (select 1 from eva.venture_dependencies d
                   where d.dependent_venture_id = new.venture_id and d.status in ('pending', 'broken')) then
      return new;
    end if;
    v_reason := eva_private.fn_dependency_hold(new.venture_id);
    if v_reason is not null then
      new.status := 'blocked';
      new.blocked_reason := v_reason;
      new.blocked_on_dependency := true;
      perform eva_private.fn_log_event('stage.blocked', new.venture_id, pg_catalog.jsonb_build_object(
        'stage', new.lifecycle_stage, 'run', new.run_number, 'work_id', new.id, 'reason', v_reason,
        'cause', 'dependency'));
    else
      perform eva_private.fn_log_event('dependency.warning', new.venture_id, pg_catalog.jsonb_build_object(
        'dependency_id', d.id, 'provider_id', p.id, 'provider', p.name, 'required_stage', d.required_stage,
        'provider_stage', p.current_lifecycle_stage, 'stage', new.lifecycle_stage, 'work_id', new.id,
        'message', pg_catalog.format('stage %s runs before "%s" reached stage %s (soft dependency; it is at stage %s)',
          new.lifecycle_stage, p.name, d.required_stage, p.current_lifecycle_stage)))
      from eva.venture_dependencies d
      join eva.ventures p on p.id = d.provider_venture_id
      where d.dependent_venture_id = new.venture_id and d.dependency_type = 'soft' and d.status = 'pending'
        and p.current_lifecycle_stage < d.required_stage;
    end if;
  end if;
  return new;
end;
$$;
comment on function eva_private.tg_venture_stage_work_dependency_hold() is
  'Trigger: stage work becoming ready while a hard dependency holds the venture is written as blocked (reason naming the provider); an unmet soft dependency logs dependency.warning.';

create or replace trigger _300_dependency_hold before insert or update of status on eva.venture_stage_work
  for each row execute function eva_private.tg_venture_stage_work_dependency_hold();
