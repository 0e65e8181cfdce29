-- Keeps a venture's search documents current: its name document on every
-- change of a searchable field; on a rename, its other documents too (they
-- carry its name at weight A). A move to another stage (every stage a venture
-- completes) changes none of its text or labels: only the document's stage is
-- set then, instead of its weighted tsvector being built and indexed again.
create or replace function eva_private.tg_search_ventures()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if tg_op = 'UPDATE'
     and (new.name, new.description, new.problem_statement, new.value_prop, new.target_market, new.moat_strategy,
          new.key_assumptions, new.success_criteria, new.archetype, new.vertical_category, new.status)
         is not distinct from
         (old.name, old.description, old.problem_statement, old.value_prop, old.target_market, old.moat_strategy,
          old.key_assumptions, old.success_criteria, old.archetype, old.vertical_category, old.status) then
    update eva.search_documents d set lifecycle_stage = new.current_lifecycle_stage, updated_at = pg_catalog.now()
    where d.source_table = 'ventures' and d.source_id = new.id::text;
    if found then
      return null;
    end if;
  end if;
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
