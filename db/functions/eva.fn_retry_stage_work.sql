-- After the cause of a block is fixed (artifact revalidated, budget raised),
-- the stage is tried again: its work row becomes ready and its job is queued.
create or replace function eva.fn_retry_stage_work(p_work_id uuid)
returns eva.venture_stage_work
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_work eva.venture_stage_work;
begin
  update eva.venture_stage_work w
  set status = 'ready', blocked_reason = null
  where w.id = p_work_id and w.status in ('blocked', 'failed')
  returning * into v_work;
  if not found then
    raise exception 'stage work % is not blocked or failed', p_work_id using errcode = 'EV409';
  end if;
  perform eva_private.fn_log_event('stage.retried', v_work.venture_id, pg_catalog.jsonb_build_object(
    'stage', v_work.lifecycle_stage, 'work_id', v_work.id));
  return v_work;
end;
$$;
comment on function eva.fn_retry_stage_work(uuid) is 'Makes a blocked or failed stage run ready again (its job is queued by trigger).';
-- No request role runs it (no command or API path uses it). Executable by its owner only.
