-- Keeps a venture's search documents current: its name document on every
-- change of a searchable field; on a rename, its other documents too (they
-- carry its name at weight A).
create or replace function eva_private.tg_search_ventures()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform eva_private.fn_search_index_venture(new.id);
  if tg_op = 'UPDATE' and new.name is distinct from old.name then
    perform eva_private.fn_search_index_artifact(a.id)
    from eva.venture_artifacts a where a.venture_id = new.id and a.is_current;
    perform eva_private.fn_search_index_retrospective(r.saga_id)
    from eva.venture_retrospectives r where r.venture_id = new.id;
  end if;
  return null;
end;
$$;
comment on function eva_private.tg_search_ventures() is
  'Trigger: a venture''s search documents follow its name and fields.';

create or replace trigger _900_search after insert on eva.ventures
  for each row execute function eva_private.tg_search_ventures();
create or replace trigger _900_search_update after update of name, description, problem_statement, value_prop,
  target_market, moat_strategy, key_assumptions, success_criteria, archetype, vertical_category, status,
  current_lifecycle_stage on eva.ventures
  for each row execute function eva_private.tg_search_ventures();
