-- A venture's own search document (kind name): its name and the Stage 1
-- fields. Its other documents carry its name too (weight A), so they are
-- rewritten when it is renamed.
create or replace function eva_private.fn_search_index_venture(p_venture_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v eva.ventures;
begin
  select * into v from eva.ventures where id = p_venture_id;
  if not found then
    delete from eva.search_documents where source_table = 'ventures' and source_id = p_venture_id::text;
    return;
  end if;
  perform eva_private.fn_search_put('name', 'ventures', v.id::text, v.id, v.current_lifecycle_stage, v.name, v.name, v.name,
    pg_catalog.concat_ws(E'\n', v.description, v.problem_statement, v.value_prop, v.target_market, v.moat_strategy,
      pg_catalog.array_to_string(v.key_assumptions, E'\n'), pg_catalog.array_to_string(v.success_criteria, E'\n')),
    pg_catalog.concat_ws(' ', 'venture', v.archetype::text, v.vertical_category, v.status::text));
end;
$$;
comment on function eva_private.fn_search_index_venture(uuid) is
  'Writes a venture''s name document (name, description, problem, value proposition, market, moat, assumptions) in the search index.';
