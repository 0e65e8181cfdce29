-- Rebuilds the whole search index from its sources (eva search reindex).
-- Also run here, once, when the index is empty but ventures exist: a database
-- migrated before search existed gets its index on the migrate that adds it.
create or replace function eva_private.fn_search_reindex()
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_count int;
begin
  delete from eva.search_documents;
  perform eva_private.fn_search_index_venture(v.id) from eva.ventures v;
  perform eva_private.fn_search_index_artifact(a.id) from eva.venture_artifacts a where a.is_current;
  perform eva_private.fn_search_index_retrospective(r.saga_id) from eva.venture_retrospectives r;
  perform eva_private.fn_search_index_nursery(n.id) from eva.venture_nursery n;
  select count(*) into v_count from eva.search_documents;
  return v_count;
end;
$$;
comment on function eva_private.fn_search_reindex() is
  'Rebuilds the search index from ventures, current artifacts, retrospectives and the nursery; returns the documents written.';
grant execute on function eva_private.fn_search_reindex() to eva_service;

select eva_private.fn_search_reindex()
where not exists (select 1 from eva.search_documents) and exists (select 1 from eva.ventures);
