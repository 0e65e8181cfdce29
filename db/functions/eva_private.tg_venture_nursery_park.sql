-- The nursery's side of parking a Stage 0 brief (spec §16 parkVenture): the
-- brief's maturity and trigger conditions are kept with the row, and the
-- review date follows the maturity — 30 days for a blocked idea, 90 for one
-- in the nursery (an edit keeps fn_apply_decision's 7 days). A re-evaluated
-- idea parked again stays one nursery row (its new brief, reason and date).
create or replace function eva_private.tg_venture_nursery_park()
returns trigger
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_previous uuid;
  v_conditions jsonb := new.brief #> '{metadata,nursery,triggerConditions}';
begin
  if new.maturity is null and new.brief ->> 'maturity' in ('ready', 'seed', 'sprout', 'blocked', 'nursery') then
    new.maturity := new.brief ->> 'maturity';
  end if;
  if new.trigger_conditions = '[]'::jsonb and pg_catalog.jsonb_typeof(v_conditions) = 'array' then
    new.trigger_conditions := v_conditions;
  end if;
  if new.status = 'parked' and new.maturity = 'blocked' then
    new.review_at := eva.fn_scheduler_now() + interval '30 days';
  elsif new.status = 'parked' and new.maturity = 'nursery' then
    new.review_at := eva.fn_scheduler_now() + interval '90 days';
  end if;

  select (d.context ->> 'nurseryId')::uuid into v_previous from eva.chairman_decisions d where d.id = new.decision_id;
  if v_previous is not null and exists (select 1 from eva.venture_nursery n where n.id = v_previous) then
    update eva.venture_nursery n set decision_id = new.decision_id, name = new.name, brief = new.brief,
      status = new.status, reason = new.reason, review_at = new.review_at, maturity = new.maturity,
      trigger_conditions = new.trigger_conditions, stale_at = null
    where n.id = v_previous;
    return null;
  end if;
  new.parked_at := eva.fn_scheduler_now();
  return new;
end;
$$;
comment on function eva_private.tg_venture_nursery_park() is
  'Trigger: a parked brief keeps its maturity and trigger conditions; review in 30 days (blocked) or 90 (nursery); a re-evaluated idea parked again updates its own row.';

create or replace trigger _050_park before insert on eva.venture_nursery
  for each row execute function eva_private.tg_venture_nursery_park();
