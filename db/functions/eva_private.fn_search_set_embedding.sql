-- The search_embed task stores a document's embedding through this function
-- (services have no update grant on the index). The vector type exists only
-- where pgvector is installed, hence the dynamic statement.
create or replace function eva_private.fn_search_set_embedding(p_document_id bigint, p_vector text, p_model text)
returns boolean
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_count int;
begin
  if (select s.value from eva_private.settings s where s.key = 'search.embeddings') is distinct from 'true'::jsonb then
    raise exception 'this database stores no embeddings: pgvector is not installed' using errcode = 'EV409';
  end if;
  execute 'update eva.search_documents set embedding = $1::eva_ext.vector, embedding_model = $2 where id = $3'
    using p_vector, p_model, p_document_id;
  get diagnostics v_count = row_count;
  return v_count > 0;
end;
$$;
comment on function eva_private.fn_search_set_embedding(bigint, text, text) is
  'Stores a search document''s embedding and the model that made it (pgvector databases only).';
grant execute on function eva_private.fn_search_set_embedding(bigint, text, text) to eva_service;
