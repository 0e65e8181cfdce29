-- A venture's stored priority follows its own inputs, whoever writes them
-- (the stage engine, a service, psql): revenue, health and stage.
create or replace function eva_private.tg_ventures_priority()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  new.priority_base := eva_private.fn_venture_priority_base(new.projected_revenue, new.health_score,
    new.current_lifecycle_stage,
    case when tg_op = 'UPDATE' then (
      select pg_catalog.sum(dv.projected_revenue)
      from eva.venture_dependencies vd
      join eva.ventures dv on dv.id = vd.dependent_venture_id
      where vd.provider_venture_id = new.id and vd.status = 'pending') end);
  return new;
end;
$$;
comment on function eva_private.tg_ventures_priority() is
  'Trigger: keeps ventures.priority_base when projected_revenue, health_score or the stage change.';

create or replace trigger _300_priority before insert or update of projected_revenue, health_score, current_lifecycle_stage
  on eva.ventures
  for each row execute function eva_private.tg_ventures_priority();
