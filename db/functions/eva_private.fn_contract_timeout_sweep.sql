-- The contract timeout sweep (tick contract_timeout_sweep, every minute):
-- contracts assigned or in progress past timeout_at (scheduler time,
-- eva.fn_scheduler_now()) become timeout — never silently left running. A
-- stage analysis whose work is still in progress under that contract is then
--   retried while attempt < max_attempts: the work is ready again and gets a
--     new job (the trigger queues it; a hung worker's job keeps running but
--     its late result is ignored: its contract is no longer in progress);
--   escalated after the last attempt: the stage is blocked with the reason, a
--     P1 alert is raised and the contract.timeout event (next = escalated)
--     notifies the Chairman at once.
-- Other kinds (Devil's Advocate reviews, saga steps, publisher calls) time
-- out with their event; their owner reacts to it. Idempotent: a contract
-- times out once. Returns { timedOut, retried, escalated }.
create or replace function eva_private.fn_contract_timeout_sweep()
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz := eva.fn_scheduler_now();
  v_c eva.agent_task_contracts;
  v_work eva.venture_stage_work;
  v_then text;
  v_reason text;
  v_timed_out int := 0;
  v_retried int := 0;
  v_escalated int := 0;
begin
  for v_c in
    select * from eva.agent_task_contracts c
    where c.status in ('assigned', 'in_progress') and c.timeout_at <= v_now
    order by c.timeout_at
    for update skip locked
  loop
    v_then := 'none';
    v_work := null;
    v_reason := 'no result within ' || v_c.timeout::text || ' (due by ' || v_c.timeout_at || ', attempt '
      || v_c.attempt || ' of ' || v_c.max_attempts || ')';
    if v_c.kind = 'stage_analysis' then
      select * into v_work from eva.venture_stage_work w where w.id = v_c.stage_work_id for update;
      if v_work.status = 'in_progress' then
        v_then := case when v_c.attempt < v_c.max_attempts then 'retried' else 'escalated' end;
      end if;
    end if;
    perform eva_private.fn_contract_transition(v_c.id, 'timeout', pg_catalog.jsonb_build_object(
      'error', 'timed out: ' || v_reason, 'next', v_then, 'scheduler_time', v_now));
    v_timed_out := v_timed_out + 1;
    if v_then = 'retried' then
      update eva.venture_stage_work set status = 'ready' where id = v_work.id;
      v_retried := v_retried + 1;
    elsif v_then = 'escalated' then
      v_reason := 'stage ' || v_work.lifecycle_stage || ' timed out ' || v_c.attempt || ' time(s): ' || v_reason;
      update eva.venture_stage_work set status = 'blocked', blocked_reason = v_reason where id = v_work.id;
      perform eva_private.fn_log_event('stage.blocked', v_work.venture_id, pg_catalog.jsonb_build_object(
        'stage', v_work.lifecycle_stage, 'run', v_work.run_number, 'work_id', v_work.id, 'reason', v_reason,
        'contract_id', v_c.id));
      insert into eva.eva_alerts (venture_id, severity, alert_type, message, details)
      values (v_work.venture_id, 'P1', 'contract_timeout', 'Stage ' || v_work.lifecycle_stage || ' escalated: ' || v_reason,
        pg_catalog.jsonb_build_object('work_id', v_work.id, 'contractId', v_c.id, 'attempts', v_c.attempt));
      v_escalated := v_escalated + 1;
    end if;
  end loop;
  return pg_catalog.jsonb_build_object('timedOut', v_timed_out, 'retried', v_retried, 'escalated', v_escalated);
end;
$$;
comment on function eva_private.fn_contract_timeout_sweep() is
  'Tick: contracts past timeout_at (scheduler time) become timeout; a stage analysis still in progress is retried (work ready, new job) or, after its last attempt, escalated (stage blocked, P1 alert, Chairman notified). Returns timedOut, retried, escalated.';
grant execute on function eva_private.fn_contract_timeout_sweep() to eva_service;
