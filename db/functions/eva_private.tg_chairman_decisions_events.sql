-- Decisions are events: the queue's subscribers and the resuming jobs wake on them.
create or replace function eva_private.tg_chairman_decisions_events()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_outcome text;
begin
  if tg_op = 'INSERT' then
    perform eva_private.fn_log_event('chairman.decision_requested', new.venture_id, pg_catalog.jsonb_build_object(
      'decision_id', new.id, 'stage', new.lifecycle_stage, 'decision_type', new.decision_type,
      'urgency', new.urgency, 'recommended_action', new.recommended_action));
  elsif new.status is distinct from old.status then
    if new.status = 'decided' then
      select o.outcome into v_outcome from eva.chairman_decision_options o
      where o.decision_type = new.decision_type and o.decision = new.decision;
    else
      v_outcome := new.status::text;
    end if;
    perform eva_private.fn_log_event('chairman.' || v_outcome, new.venture_id, pg_catalog.jsonb_build_object(
      'decision_id', new.id, 'stage', new.lifecycle_stage, 'decision_type', new.decision_type,
      'decision', new.decision, 'notes', new.notes));
  end if;
  return null;
end;
$$;
comment on function eva_private.tg_chairman_decisions_events() is
  'Trigger: logs chairman.decision_requested, then chairman.approval / rejection / override (or superseded / withdrawn).';

create or replace trigger _800_events after insert or update on eva.chairman_decisions
  for each row execute function eva_private.tg_chairman_decisions_events();
