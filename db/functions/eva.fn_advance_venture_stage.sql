-- The venture state machine's one way forward: no skipping, no advancing a
-- killed, paused or decision-blocked venture, a gated stage needs a passing
-- gate outcome on record, and a Chairman gate (10, 22, 25) needs the
-- Chairman's approval on this run of the stage. It closes the stage's work
-- row, opens the next one as ready and writes the transition, all in the
-- caller's transaction.
create or replace function eva.fn_advance_venture_stage(
  p_venture_id uuid,
  p_from_stage int,
  p_to_stage int default null,
  p_reason text default null
)
returns eva.venture_stage_work
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_venture eva.ventures;
  v_stage eva.lifecycle_stage_config;
  v_work eva.venture_stage_work;
  v_next eva.venture_stage_work;
  v_pending eva.chairman_decisions;
  v_passes boolean;
  v_chairman_decision text;
  v_chairman_outcome text;
  v_to int := coalesce(p_to_stage, p_from_stage + 1);
begin
  select * into v_venture from eva.ventures where id = p_venture_id for no key update;
  if not found then
    raise exception 'venture % does not exist', p_venture_id using errcode = 'EV404';
  end if;

  if v_venture.status in ('killed', 'sunset', 'exited') then
    raise exception 'venture "%" is %: it cannot advance', v_venture.name, v_venture.status
      using errcode = 'EV409', hint = 'An ended venture stays where it ended.';
  end if;
  if v_venture.status = 'paused' then
    raise exception 'venture "%" is paused at stage %', v_venture.name, v_venture.current_lifecycle_stage
      using errcode = 'EV423', hint = 'Resume it first (eva.fn_set_venture_status(id, ''active'', reason)).';
  end if;
  select * into v_pending from eva.chairman_decisions d
  where d.venture_id = p_venture_id and d.status = 'pending' and d.blocking
  order by d.created_at limit 1;
  if found or v_venture.status = 'awaiting_decision' then
    raise exception 'venture "%" is waiting for a Chairman decision%', v_venture.name,
      coalesce(' (' || v_pending.decision_type || ' at stage ' || v_pending.lifecycle_stage || ', id ' || v_pending.id || ')', '')
      using errcode = 'EV423', hint = 'The Chairman decides first: eva decisions list.';
  end if;

  if v_venture.current_lifecycle_stage <> p_from_stage then
    raise exception 'venture "%" is at stage %, not stage %', v_venture.name, v_venture.current_lifecycle_stage, p_from_stage
      using errcode = 'EV409', hint = 'Re-read the venture: another process may have advanced it.';
  end if;
  if p_from_stage >= 25 then
    raise exception 'stage 25 is the last stage: the Chairman''s venture_future decision decides what follows'
      using errcode = 'EV409';
  end if;
  if v_to <> p_from_stage + 1 then
    raise exception 'stages cannot be skipped: venture "%" can move from stage % only to stage %, not %',
      v_venture.name, p_from_stage, p_from_stage + 1, v_to
      using errcode = 'EV409';
  end if;

  select * into v_work from eva.venture_stage_work w
  where w.venture_id = p_venture_id and w.lifecycle_stage = p_from_stage
    and w.status in ('ready', 'in_progress', 'blocked', 'awaiting_decision')
  for update;
  if not found then
    raise exception 'venture "%" has no open work at stage %', v_venture.name, p_from_stage
      using errcode = 'EV409';
  end if;

  select * into v_stage from eva.lifecycle_stage_config where stage_number = p_from_stage;
  -- At a Chairman gate the recorded gate outcome is a recommendation: the
  -- Chairman's decision (checked below) is the final call (spec §8.5).
  if v_stage.gate_type <> 'none' and not v_stage.chairman_gate then
    if v_work.gate_decision is null then
      raise exception 'stage % (%) has a % gate: its outcome must be recorded before the venture advances',
        p_from_stage, v_stage.stage_name, v_stage.gate_type
        using errcode = 'EV412', hint = 'Record it with eva.fn_record_gate_outcome(venture, stage, decision, rationale).';
    end if;
    select o.passes into v_passes from eva.gate_decision_options o
    where o.gate_type = v_stage.gate_type and o.decision = v_work.gate_decision;
    if not coalesce(v_passes, false) then
      raise exception 'stage % (%) % gate decided "%", which does not let the venture advance',
        p_from_stage, v_stage.stage_name, v_stage.gate_type, v_work.gate_decision
        using errcode = 'EV412';
    end if;
  end if;

  -- Only the Chairman passes a Chairman gate: the latest decision the Chairman made on
  -- this run of the stage (opened since its work row) must be an approval.
  -- Without this a service could walk a venture past the brand or release
  -- gate by never opening the decision, or after the Chairman said no.
  if v_stage.chairman_gate then
    select d.decision, o.outcome into v_chairman_decision, v_chairman_outcome
    from eva.chairman_decisions d
    join eva.chairman_decision_options o on o.decision_type = d.decision_type and o.decision = d.decision
    where d.venture_id = p_venture_id and d.lifecycle_stage = p_from_stage and d.status = 'decided'
      and d.decision_type not in ('dfe_escalation', 'venture_review')
      and d.created_at >= v_work.created_at
    order by d.created_at desc, d.decided_at desc
    limit 1;
    if v_chairman_outcome is distinct from 'approval' then
      raise exception 'stage % (%) is a Chairman gate: %', p_from_stage, v_stage.stage_name,
        case when v_chairman_decision is null then 'the Chairman has not approved this run of the stage'
             else 'the Chairman decided "' || v_chairman_decision || '", which does not let the venture advance' end
        using errcode = 'EV412', hint = 'Open a blocking Chairman decision for the stage; the venture advances once the Chairman approves.';
    end if;
  end if;

  perform pg_catalog.set_config('eva.change_reason', coalesce(p_reason, 'advanced from stage ' || p_from_stage), true);

  update eva.venture_stage_work set status = 'completed', completed_at = pg_catalog.now(), blocked_reason = null
  where id = v_work.id;

  insert into eva.venture_stage_transitions (venture_id, from_stage, to_stage, transition_type, gate_decision, reason, actor)
  values (p_venture_id, p_from_stage, v_to, 'advance', v_work.gate_decision, p_reason, eva_private.fn_caller_role());

  update eva.ventures set current_lifecycle_stage = v_to where id = p_venture_id;

  insert into eva.venture_stage_work (venture_id, lifecycle_stage, run_number, status)
  values (p_venture_id, v_to,
    (select coalesce(pg_catalog.max(w.run_number), 0) + 1 from eva.venture_stage_work w
     where w.venture_id = p_venture_id and w.lifecycle_stage = v_to),
    'ready')
  returning * into v_next;

  perform pg_catalog.set_config('eva.change_reason', '', true);
  return v_next;
end;
$$;
comment on function eva.fn_advance_venture_stage(uuid, int, int, text) is
  'Advances a venture one stage (from p_from_stage to p_from_stage + 1) and returns the next stage''s work row, ready. Refuses skipping (EV409), ended ventures (EV409), paused or decision-blocked ventures (EV423), gated stages without a passing gate outcome and Chairman gates without the Chairman''s approval (EV412).';
-- No request role runs it: workers advance through eva.fn_record_stage_result, the
-- Chairman through eva.fn_decide. Executable by its owner only.
