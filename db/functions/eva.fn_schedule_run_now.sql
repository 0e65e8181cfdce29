-- The impatient Chairman: the venture's scheduled work becomes due now and
-- its health check comes due (both on the scheduler's clock); the next
-- due-work tick (or this call, for the work) releases it.
create or replace function eva.fn_schedule_run_now(p_venture_id uuid)
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_venture eva.ventures;
  v_now timestamptz := eva.fn_scheduler_now();
  v_count int;
begin
  select * into v_venture from eva.ventures where id = p_venture_id;
  if not found then
    raise exception 'venture: no venture %', p_venture_id using errcode = 'EV404';
  end if;
  if v_venture.status in ('killed', 'sunset', 'exited') then
    raise exception 'venture "%" is %: nothing of it is scheduled', v_venture.name, v_venture.status using errcode = 'EV409';
  end if;
  perform eva_private.fn_venture_cadence(p_venture_id);
  update eva.venture_cadence set next_health_check_at = v_now where venture_id = p_venture_id;
  update eva.venture_stage_work set due_at = v_now
  where venture_id = p_venture_id and status = 'scheduled' and due_at > v_now;
  get diagnostics v_count = row_count;
  perform eva_private.fn_log_event('schedule.run_now', p_venture_id,
    pg_catalog.jsonb_build_object('at', v_now, 'work', v_count));
  perform eva_private.fn_scheduler_release_due();
  return v_count;
end;
$$;
comment on function eva.fn_schedule_run_now(uuid) is
  'Makes the venture''s scheduled work due now (released at once when the venture is active) and its health check due; returns how much work it brought forward.';
grant execute on function eva.fn_schedule_run_now(uuid) to eva_chairman;
