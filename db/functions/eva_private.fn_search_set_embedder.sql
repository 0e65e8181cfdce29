-- A worker started with an embedding model (EVA_EMBEDDING_MODEL) records it
-- here; from then on each new or changed search document queues its
-- search_embed job (fn_search_put). Until a worker has a model nothing is
-- queued — no job that could only do nothing — and `eva search --embed` embeds
-- what was written meanwhile. Returns false, changing nothing, where the
-- database stores no embeddings (no pgvector).
create or replace function eva_private.fn_search_set_embedder(p_model text)
returns boolean
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if pg_catalog.length(pg_catalog.btrim(coalesce(p_model, ''))) = 0 then
    raise exception 'name the embedding model' using errcode = 'EV400';
  end if;
  if (select s.value from eva_private.settings s where s.key = 'search.embeddings') is distinct from 'true'::jsonb then
    return false;
  end if;
  insert into eva_private.settings as s (key, value, description)
  values ('search.embedding_model', pg_catalog.to_jsonb(pg_catalog.btrim(p_model)),
    'The embedding model of the last worker started with one (EVA_EMBEDDING_MODEL): new and changed search documents queue search_embed.')
  on conflict (key) do update set value = excluded.value where s.value is distinct from excluded.value;
  return true;
end;
$$;
comment on function eva_private.fn_search_set_embedder(text) is
  'Records the embedding model a worker embeds with, so that search documents queue search_embed (pgvector databases only).';
revoke all on function eva_private.fn_search_set_embedder(text) from public;
grant execute on function eva_private.fn_search_set_embedder(text) to eva_service;
