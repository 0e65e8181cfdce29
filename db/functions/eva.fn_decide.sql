-- The one way the Chairman decides, used by the CLI and the API alike:
-- Chairman only, pending only, never on stale context (the artifact version
-- the decision was generated from must still be current), and the decision's
-- effect applied in the same transaction (the next stage's job is queued by
-- trigger when the venture moves on). Concurrent submissions serialize on the
-- row lock: the first wins, the second finds the decision decided (EV409).
-- It is the only writer of a decision's outcome: no role may update
-- eva.chairman_decisions directly (db/policies), and the guard trigger refuses
-- a decided status that does not come from here, even for the table's owner.
create or replace function eva.fn_decide(p_decision_id uuid, p_decision text, p_notes text default null)
returns eva.chairman_decisions
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_d eva.chairman_decisions;
  v_outcome text;
  v_current int;
begin
  if not eva.fn_is_chairman() then
    raise exception 'only the Chairman may decide (caller: %)', eva_private.fn_caller_role() using errcode = 'EV403';
  end if;
  select * into v_d from eva.chairman_decisions where id = p_decision_id for update;
  if not found then
    raise exception 'decision % does not exist', p_decision_id using errcode = 'EV404';
  end if;
  if v_d.status <> 'pending' then
    raise exception 'decision % is already %', v_d.id, v_d.status::text || coalesce(' (' || v_d.decision || ')', '')
      using errcode = 'EV409', hint = 'A decision is made once; replays are refused.';
  end if;
  select o.outcome into v_outcome from eva.chairman_decision_options o
  where o.decision_type = v_d.decision_type and o.decision = p_decision;
  if v_outcome is null then
    raise exception '"%" is not a % decision; allowed: %', p_decision, v_d.decision_type,
      (select pg_catalog.string_agg(o.decision, ', ' order by o.decision) from eva.chairman_decision_options o
       where o.decision_type = v_d.decision_type)
      using errcode = 'EV400';
  end if;
  if v_d.artifact_version is not null then
    select a.version into v_current from eva.venture_artifacts a
    where a.venture_id = v_d.venture_id and a.lifecycle_stage = v_d.lifecycle_stage
      and a.artifact_type = v_d.artifact_type and a.is_current;
    if v_current is distinct from v_d.artifact_version then
      raise exception 'decision % is stale: it was prepared from % version %, the current version is %',
        v_d.id, v_d.artifact_type, v_d.artifact_version, coalesce(v_current::text, 'none')
        using errcode = 'EV428', hint = 'Review the current version; a fresh decision is opened for it.';
    end if;
  end if;

  -- Tells the guard trigger this update is fn_decide's own (transaction-local).
  perform pg_catalog.set_config('eva.deciding', v_d.id::text, true);
  update eva.chairman_decisions set status = 'decided', decision = p_decision, notes = p_notes
  where id = v_d.id returning * into v_d;
  perform pg_catalog.set_config('eva.deciding', '', true);

  perform eva_private.fn_apply_decision(v_d);
  return v_d;
end;
$$;
comment on function eva.fn_decide(uuid, text, text) is
  'The Chairman decides a pending decision (Chairman only, EV403; pending only, EV409; allowed decisions only, EV400; stale context refused, EV428) and its effect is applied in the same transaction.';
grant execute on function eva.fn_decide(uuid, text, text) to eva_chairman;
