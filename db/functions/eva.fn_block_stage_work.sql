-- A stage that cannot run (contract unmet, budget exhausted, analysis failed)
-- stops in a state a person can read, with an event and an alert. Its task
-- contract (p_contract_id; default the work's open one) fails with the
-- reason; a contract no longer in progress (timed out, superseded) is a late
-- run: nothing happens (null).
create or replace function eva.fn_block_stage_work(p_work_id uuid, p_reason text, p_kind text default 'blocked',
  p_details jsonb default '{}', p_contract_id uuid default null)
returns eva.venture_stage_work
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_work eva.venture_stage_work;
  v_contract eva.agent_task_contracts;
begin
  if p_kind not in ('blocked', 'failed') then
    raise exception 'a stage stops as blocked or failed, not %', p_kind using errcode = 'EV400';
  end if;
  -- Lock order: the venture, then its work (see eva.fn_record_stage_result).
  perform 1 from eva.ventures v
  where v.id = (select w.venture_id from eva.venture_stage_work w where w.id = p_work_id)
  for no key update;
  if p_contract_id is not null then
    select * into v_contract from eva.agent_task_contracts c
    where c.id = p_contract_id and c.stage_work_id = p_work_id for update;
    if v_contract.status is distinct from 'in_progress' then
      return null;
    end if;
  else
    select * into v_contract from eva.agent_task_contracts c
    where c.stage_work_id = p_work_id and c.kind = 'stage_analysis' and c.status = 'in_progress'
    order by c.attempt desc limit 1 for update;
  end if;
  update eva.venture_stage_work w
  set status = p_kind::eva.stage_work_status,
      blocked_reason = case when p_kind = 'blocked' then p_reason end
  where w.id = p_work_id and w.status in ('ready', 'in_progress')
  returning * into v_work;
  if not found then
    return null;
  end if;
  if v_contract.id is not null then
    perform eva_private.fn_contract_transition(v_contract.id, 'failed', pg_catalog.jsonb_build_object(
      'error', p_kind || ': ' || p_reason));
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
comment on function eva.fn_block_stage_work(uuid, text, text, jsonb, uuid) is
  'Stops a stage run as blocked (with a reason: contract unmet, budget exhausted) or failed, logging an event and raising an alert; its task contract fails (a late run of a timed-out contract changes nothing).';
grant execute on function eva.fn_block_stage_work(uuid, text, text, jsonb, uuid) to eva_service;
