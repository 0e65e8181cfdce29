-- The end of a Reality Gate Retry saga that worked (spec §15 step 5, decide:
-- pass → advance): called with every recorded gate outcome; when the stage's
-- reality gate did not fail and the venture has an open retry of that gate,
-- the saga completes with the passing evaluation. The venture advances by the
-- stage result's own route.
create or replace function eva_private.fn_reality_retry_settle(p_work_id uuid, p_gate jsonb)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_work eva.venture_stage_work;
  v_decision text;
  v_saga eva.eva_sagas;
begin
  select w.* into v_work from eva.venture_stage_work w
  join eva.lifecycle_stage_config s on s.stage_number = w.lifecycle_stage and s.reality_gate
  where w.id = p_work_id;
  if not found then
    return;
  end if;
  -- At 9 and 12 the reality gate is the stage's gate; at 5, 16 and 20 it rides along.
  v_decision := coalesce(p_gate -> 'reality' ->> 'decision',
    case when (select s.gate_type from eva.lifecycle_stage_config s where s.stage_number = v_work.lifecycle_stage) = 'reality'
      then p_gate ->> 'decision' end);
  if v_decision is null or v_decision = 'fail' then
    return;
  end if;
  select * into v_saga from eva.eva_sagas s
  where s.venture_id = v_work.venture_id and s.saga_type = 'reality_gate_retry' and s.status in ('active', 'paused')
    and (s.context ->> 'boundary')::int = v_work.lifecycle_stage
  for update;
  if not found then
    return;
  end if;
  update eva.eva_sagas s
  set current_step = 'decide', status = 'completed', completed_at = pg_catalog.now(),
      context = s.context || pg_catalog.jsonb_build_object('outcome', 'passed', 'passed', pg_catalog.jsonb_build_object(
        'work_id', v_work.id, 'run', v_work.run_number, 'decision', v_decision, 'retry', s.retry_count,
        'at', pg_catalog.now()))
  where s.id = v_saga.id;
  perform eva_private.fn_saga_note_step(v_saga.id, 're_evaluate', 'completed', pg_catalog.jsonb_build_object(
    'retry', v_saga.retry_count, 'work_id', v_work.id, 'decision', v_decision));
  perform eva_private.fn_saga_note_step(v_saga.id, 'decide', 'completed', pg_catalog.jsonb_build_object(
    'outcome', 'passed', 'decision', v_decision, 'retries', v_saga.retry_count));
  perform eva_private.fn_saga_note_step(v_saga.id, 'exhaust', 'skipped', pg_catalog.jsonb_build_object(
    'reason', 'the reality gate passed'));
  perform eva_private.fn_log_event('saga.completed', v_work.venture_id, pg_catalog.jsonb_build_object(
    'saga_id', v_saga.id, 'saga_type', v_saga.saga_type, 'stage', v_work.lifecycle_stage, 'decision', v_decision,
    'retries', v_saga.retry_count));
end;
$$;
comment on function eva_private.fn_reality_retry_settle(uuid, jsonb) is
  'Completes the venture''s open reality_gate_retry saga when the same reality gate, recorded for stage work p_work_id with outcome p_gate, no longer fails (pass or conditional); does nothing otherwise.';
