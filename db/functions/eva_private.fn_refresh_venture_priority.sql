-- Recomputes the stored priority (ventures.priority_base) of the given
-- ventures from their own inputs and the projected revenue of the ventures
-- waiting on them; called when a dependency or a dependent's revenue changes.
create or replace function eva_private.fn_refresh_venture_priority(p_venture_ids uuid[])
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  update eva.ventures v
  set priority_base = x.base
  from (
    select p.id, eva_private.fn_venture_priority_base(p.projected_revenue, p.health_score, p.current_lifecycle_stage,
      (select pg_catalog.sum(dv.projected_revenue)
       from eva.venture_dependencies vd
       join eva.ventures dv on dv.id = vd.dependent_venture_id
       where vd.provider_venture_id = p.id and vd.status = 'pending')) as base
    from eva.ventures p
    where p.id = any (p_venture_ids)
  ) x
  where v.id = x.id and v.priority_base is distinct from x.base;
end;
$$;
comment on function eva_private.fn_refresh_venture_priority(uuid[]) is
  'Recomputes ventures.priority_base of the given ventures (their revenue, health, stage and downstream revenue).';
