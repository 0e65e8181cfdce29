-- After a dependency of this venture changed (declared, met, broken, removed)
-- its open work follows: ready work a hard dependency now holds becomes
-- blocked (and its queued job is removed); work blocked by dependencies is
-- released to ready (its job queued by trigger) once nothing holds it, or
-- gets the new reason. Work a worker is running finishes; the next stage's
-- work is held when it becomes ready (eva_private.tg_venture_stage_work_dependency_hold).
create or replace function eva_private.fn_apply_dependency_holds(p_venture_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_work eva.venture_stage_work;
  v_reason text;
begin
  select * into v_work from eva.venture_stage_work w
  where w.venture_id = p_venture_id and w.status in ('ready', 'blocked')
  for update;
  if not found then
    return;
  end if;
  v_reason := eva_private.fn_dependency_hold(p_venture_id);
  if v_work.status = 'ready' and v_reason is not null then
    update eva.venture_stage_work
    set status = 'blocked', blocked_reason = v_reason, blocked_on_dependency = true
    where id = v_work.id;
    perform graphile_worker.remove_job('stage_run:' || v_work.id::text);
    perform eva_private.fn_log_event('stage.blocked', p_venture_id, pg_catalog.jsonb_build_object(
      'stage', v_work.lifecycle_stage, 'run', v_work.run_number, 'work_id', v_work.id, 'reason', v_reason,
      'cause', 'dependency'));
  elsif v_work.status = 'blocked' and v_work.blocked_on_dependency then
    if v_reason is null then
      update eva.venture_stage_work set status = 'ready', blocked_reason = null where id = v_work.id;
      perform eva_private.fn_log_event('stage.unblocked', p_venture_id, pg_catalog.jsonb_build_object(
        'stage', v_work.lifecycle_stage, 'run', v_work.run_number, 'work_id', v_work.id, 'cause', 'dependency'));
    elsif v_reason is distinct from v_work.blocked_reason then
      update eva.venture_stage_work set blocked_reason = v_reason where id = v_work.id;
    end if;
  end if;
end;
$$;
comment on function eva_private.fn_apply_dependency_holds(uuid) is
  'Blocks the venture''s ready work that a hard dependency holds, and releases (to ready) its dependency-blocked work once none does.';
