-- Search by meaning where pgvector is installed in eva_ext. pgvector is not a
-- trusted extension, so `eva db migrate` creates it as the migrating login
-- (src/db/migrate.ts) before the migrations run as eva_owner; migration 044
-- then adds the embedding columns to a new database. This function, called
-- by migrate after the migrations, gives them to a database migrated before
-- pgvector was installed, and records the setting search.embeddings that
-- fn_search_put reads. Idempotent; returns whether documents carry embeddings.
create or replace function eva_private.fn_search_enable_embeddings()
returns boolean
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_vector boolean := exists (
    select 1 from pg_catalog.pg_extension e join pg_catalog.pg_namespace n on n.oid = e.extnamespace
    where e.extname = 'vector' and n.nspname = 'eva_ext');
  v_column boolean := exists (
    select 1 from pg_catalog.pg_attribute
    where attrelid = 'eva.search_documents'::regclass and attname = 'embedding' and not attisdropped);
begin
  if v_vector and not v_column then
    execute 'alter table eva.search_documents add column embedding eva_ext.vector, add column embedding_model text';
    v_column := true;
  end if;
  if v_column then
    -- Out of the API (the smart tag @behavior -*, read by PostGraphile): clients search through `search`,
    -- so the schema is the same on every server. On the column itself, not in graphql/smart-tags.ts, whose
    -- rule would warn on every schema build of a server without the column.
    comment on column eva.search_documents.embedding is
      E'@behavior -*\nThe document''s embedding (title and body) by embedding_model; null until search_embed has run, and again when the text changes.';
    comment on column eva.search_documents.embedding_model is E'@behavior -*\nThe embedding model that made embedding.';
  end if;
  insert into eva_private.settings as s (key, value, description)
  values ('search.embeddings', pg_catalog.to_jsonb(v_column),
    case when v_column then 'pgvector is installed: search documents carry embeddings (search_embed).'
         else 'pgvector is not installed: search is keyword-only.' end)
  on conflict (key) do update set value = excluded.value, description = excluded.description
    where s.value is distinct from excluded.value;
  return v_column;
end;
$$;
comment on function eva_private.fn_search_enable_embeddings() is
  'Adds eva.search_documents'' embedding columns where pgvector is installed in eva_ext and records search.embeddings; run by eva db migrate.';
revoke all on function eva_private.fn_search_enable_embeddings() from public;
