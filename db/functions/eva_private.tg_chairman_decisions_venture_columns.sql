-- A decision opens with its venture's queue columns (the name, the stored
-- priority part, when the venture entered its stage), so eva.decision_queue
-- reads the pending rows alone; a Stage 0 review has no venture yet and takes
-- its brief's name (again when its context changes). eva_private.tg_ventures_queue_columns
-- keeps them while the decision is pending.
create or replace function eva_private.tg_chairman_decisions_venture_columns()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  -- A pending decision's venture columns are kept from the venture's side after it opens.
  if tg_op = 'UPDATE' and new.venture_id is not null then
    return new;
  end if;
  select v.name, v.priority_base, v.stage_entered_at
  into new.venture_name, new.venture_priority_base, new.venture_stage_entered_at
  from eva.ventures v where v.id = new.venture_id;
  if not found then
    new.venture_name := new.context -> 'brief' ->> 'name';
    new.venture_priority_base := null;
    new.venture_stage_entered_at := null;
  end if;
  return new;
end;
$$;
comment on function eva_private.tg_chairman_decisions_venture_columns() is
  'Trigger: a new decision copies its venture''s name, priority_base and stage_entered_at (a Stage 0 review: the brief''s name) for eva.decision_queue.';

create or replace trigger _030_venture_columns before insert or update of context on eva.chairman_decisions
  for each row execute function eva_private.tg_chairman_decisions_venture_columns();
