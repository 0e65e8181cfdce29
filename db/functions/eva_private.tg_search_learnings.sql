-- Retrospectives (learnings) and parked ideas enter the search index as they are written.
create or replace function eva_private.tg_search_learnings()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if tg_table_name = 'venture_retrospectives' then
    perform eva_private.fn_search_index_retrospective(new.saga_id);
  elsif tg_table_name = 'venture_nursery' then
    perform eva_private.fn_search_index_nursery(new.id);
  end if;
  return null;
end;
$$;
comment on function eva_private.tg_search_learnings() is
  'Trigger: retrospectives and parked ideas follow into the search index.';

create or replace trigger _900_search after insert or update on eva.venture_retrospectives
  for each row execute function eva_private.tg_search_learnings();
create or replace trigger _900_search after insert or update on eva.venture_nursery
  for each row execute function eva_private.tg_search_learnings();
