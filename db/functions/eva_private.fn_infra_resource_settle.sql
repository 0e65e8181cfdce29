-- One teardown sub-step's outcome, in one transaction with the resource's
-- state: torn_down / archived (the provider confirmed), not_torn_down (no
-- provider: nothing was called) or failed (the provider refused).
create or replace function eva_private.fn_infra_resource_settle(
  p_saga_id uuid,
  p_step text,
  p_resource_id uuid,
  p_status text,
  p_detail text,
  p_result jsonb default '{}'
)
returns eva.venture_infra_resources
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_res eva.venture_infra_resources;
begin
  if p_status is null or p_status not in ('torn_down', 'archived', 'not_torn_down', 'failed') then
    raise exception 'a resource is torn_down, archived, not_torn_down or failed, not %', coalesce(p_status, 'null')
      using errcode = 'EV400';
  end if;
  select * into v_res from eva.venture_infra_resources where id = p_resource_id for update;
  if not found then
    raise exception 'infrastructure resource % does not exist', p_resource_id using errcode = 'EV404';
  end if;
  perform eva_private.fn_saga_substep(p_saga_id, p_step, v_res.kind || ':' || v_res.name,
    case p_status when 'failed' then 'failed' when 'not_torn_down' then 'skipped' else 'completed' end, null,
    coalesce(p_result, '{}'::jsonb) || pg_catalog.jsonb_build_object('resource', v_res.id, 'status', p_status,
      'detail', p_detail),
    case when p_status = 'failed' then p_detail end);
  update eva.venture_infra_resources
  set status = p_status, status_detail = p_detail, updated_at = pg_catalog.now(),
      torn_down_at = case when p_status in ('torn_down', 'archived') then pg_catalog.now() end
  where id = p_resource_id returning * into v_res;
  perform eva_private.fn_log_event('infra.' || p_status, v_res.venture_id, pg_catalog.jsonb_build_object(
    'saga_id', p_saga_id, 'resource', v_res.id, 'kind', v_res.kind, 'name', v_res.name, 'detail', p_detail));
  return v_res;
end;
$$;
comment on function eva_private.fn_infra_resource_settle(uuid, text, uuid, text, text, jsonb) is
  'Records a teardown sub-step and the resource''s new state together (torn_down, archived, not_torn_down: no provider, failed).';
grant execute on function eva_private.fn_infra_resource_settle(uuid, text, uuid, text, text, jsonb) to eva_service;
