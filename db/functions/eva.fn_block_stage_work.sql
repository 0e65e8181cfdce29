-- A stage that cannot run (contract unmet, budget exhausted, analysis failed)
-- stops in a state a person can read, with an event and an alert.
create or replace function eva.fn_block_stage_work(p_work_id uuid, p_reason text, p_kind text default 'blocked', p_details jsonb default '{}')
returns eva.venture_stage_work
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_work eva.venture_stage_work;
begin
  if p_kind not in ('blocked', 'failed') then
    raise exception 'a stage stops as blocked or failed, not %', p_kind using errcode = 'EV400';
  end if;
  update eva.venture_stage_work w
  set status = p_kind::eva.stage_work_status,
      blocked_reason = case when p_kind = 'blocked' then p_reason end
  where w.id = p_work_id and w.status in ('ready', 'in_progress')
  returning * into v_work;
  if not found then
    return null;
  end if;
  perform eva_private.fn_log_event('stage.' || p_kind, v_work.venture_id, pg_catalog.jsonb_build_object(
    'stage', v_work.lifecycle_stage, 'run', v_work.run_number, 'work_id', v_work.id, 'reason', p_reason)
    || coalesce(p_details, '{}'::jsonb));
  insert into eva.eva_alerts (venture_id, severity, alert_type, message, details)
  values (v_work.venture_id, case when p_kind = 'failed' then 'P1' else 'P2' end::eva.alert_severity,
    'stage_' || p_kind, 'Stage ' || v_work.lifecycle_stage || ' ' || p_kind || ': ' || p_reason,
    pg_catalog.jsonb_build_object('work_id', v_work.id) || coalesce(p_details, '{}'::jsonb));
  return v_work;
end;
$$;
comment on function eva.fn_block_stage_work(uuid, text, text, jsonb) is
  'Stops a stage run as blocked (with a reason: contract unmet, budget exhausted) or failed, logging an event and raising an alert.';
grant execute on function eva.fn_block_stage_work(uuid, text, text, jsonb) to eva_service;
