-- A venture's projected revenue is part of the downstream term of every
-- venture it waits on: their stored priority follows.
create or replace function eva_private.tg_ventures_priority_downstream()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform eva_private.fn_refresh_venture_priority(array(
    select vd.provider_venture_id from eva.venture_dependencies vd
    where vd.dependent_venture_id = new.id and vd.status = 'pending'));
  return null;
end;
$$;
comment on function eva_private.tg_ventures_priority_downstream() is
  'Trigger: a changed projected_revenue refreshes the stored priority of the ventures this one waits on.';

-- Each provider whose stored priority moves logs venture.priority_changed (_720_priority_changed).
drop trigger if exists _810_priority_downstream on eva.ventures;
create or replace trigger _710_priority_downstream after update of projected_revenue on eva.ventures
  for each row when (new.projected_revenue is distinct from old.projected_revenue)
  execute function eva_private.tg_ventures_priority_downstream();
