-- A new artifact version enters the search index; the version it supersedes
-- (is_current flipped off in the same transaction) leaves it.
create or replace function eva_private.tg_search_venture_artifacts()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform eva_private.fn_search_index_artifact(new.id);
  return null;
end;
$$;
comment on function eva_private.tg_search_venture_artifacts() is
  'Trigger: current artifacts are in the search index, superseded versions are not.';

create or replace trigger _900_search after insert on eva.venture_artifacts
  for each row execute function eva_private.tg_search_venture_artifacts();
create or replace trigger _900_search_update after update of is_current on eva.venture_artifacts
  for each row when (old.is_current is distinct from new.is_current)
  execute function eva_private.tg_search_venture_artifacts();
