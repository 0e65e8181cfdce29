-- A parked idea's brief is searchable too (kind brief, no venture yet): the
-- Chairman finds an idea parked months ago by a word of it. Viewers do not see
-- these, as they do not see the nursery (db/policies/eva.search_documents.sql).
create or replace function eva_private.fn_search_index_nursery(p_nursery_id uuid)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  n eva.venture_nursery;
begin
  select * into n from eva.venture_nursery where id = p_nursery_id;
  if not found then
    delete from eva.search_documents where source_table = 'venture_nursery' and source_id = p_nursery_id::text;
    return;
  end if;
  perform eva_private.fn_search_put('brief', 'venture_nursery', n.id::text, null, 0, n.name,
    n.name || ' · parked idea (' || n.status::text || ')', n.name,
    pg_catalog.concat_ws(E'\n', n.reason, eva_private.fn_search_jsonb_text(n.brief)),
    pg_catalog.concat_ws(' ', 'brief nursery parked idea', n.status::text));
end;
$$;
comment on function eva_private.fn_search_index_nursery(uuid) is
  'Writes a parked idea''s search document (kind brief, no venture).';
