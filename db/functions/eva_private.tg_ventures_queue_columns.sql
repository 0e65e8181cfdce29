-- A venture's name, stored priority part or stage entry changed: its pending
-- decisions' copies follow in the same transaction, so the queue ranks and
-- names them as the venture stands (eva.decision_queue reads the copies).
create or replace function eva_private.tg_ventures_queue_columns()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  update eva.chairman_decisions d
  set venture_name = new.name, venture_priority_base = new.priority_base,
      venture_stage_entered_at = new.stage_entered_at
  where d.venture_id = new.id and d.status = 'pending';
  return null;
end;
$$;
comment on function eva_private.tg_ventures_queue_columns() is
  'Trigger: copies a venture''s new name, priority_base or stage_entered_at to its pending decisions (eva.decision_queue).';

create or replace trigger _730_queue_columns after update on eva.ventures
  for each row when (new.name is distinct from old.name or new.priority_base is distinct from old.priority_base
                     or new.stage_entered_at is distinct from old.stage_entered_at)
  execute function eva_private.tg_ventures_queue_columns();
