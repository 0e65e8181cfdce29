-- A dependency declared, changed, met or removed changes its provider's
-- downstream term: the provider's stored priority follows.
create or replace function eva_private.tg_venture_dependencies_priority()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform eva_private.fn_refresh_venture_priority(case tg_op
    when 'INSERT' then array[new.provider_venture_id]
    when 'DELETE' then array[old.provider_venture_id]
    else array[old.provider_venture_id, new.provider_venture_id] end);
  return null;
end;
$$;
comment on function eva_private.tg_venture_dependencies_priority() is
  'Trigger: refreshes the stored priority of the provider of a dependency that was added, changed or removed.';

-- A provider whose stored priority moves logs venture.priority_changed (_720_priority_changed), from which
-- the stage-run-rerank subscription re-ranks its queued jobs.
drop trigger if exists _800_priority on eva.venture_dependencies;
create or replace trigger _650_priority after insert or update or delete on eva.venture_dependencies
  for each row execute function eva_private.tg_venture_dependencies_priority();
