-- One place writes a search document: the weighted tsvector (A the venture's
-- name, B the heading — the name itself for a venture's own document, the
-- artifact's type for an artifact — C the text, D labels) is built here, so every kind of
-- document ranks alike. Where pgvector is installed (setting
-- search.embeddings) the document's embedding is queued (search_embed).
-- The heading (B) became a parameter of its own. An unchanged document is not
-- rewritten; a changed title or body drops the old embedding and queues a new
-- one once a worker embeds (search.embedding_model, fn_search_set_embedder).
drop function if exists eva_private.fn_search_put(text, text, text, uuid, int, text, text, text, text);
create or replace function eva_private.fn_search_put(
  p_kind text, p_source_table text, p_source_id text, p_venture_id uuid, p_stage int,
  p_venture_name text, p_title text, p_heading text, p_body text, p_labels text
)
returns bigint
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_id bigint;
  v_written bigint;
  v_body text := pg_catalog.left(coalesce(p_body, ''), 100000);
  v_old_title text;
  v_old_body text;
  v_existed boolean;
begin
  select d.id, d.title, d.body into v_id, v_old_title, v_old_body from eva.search_documents d
  where d.source_table = p_source_table and d.source_id = p_source_id;
  v_existed := found;
  insert into eva.search_documents as d (kind, source_table, source_id, venture_id, lifecycle_stage, title, body, document)
  values (p_kind, p_source_table, p_source_id, p_venture_id, p_stage, p_title, v_body,
    pg_catalog.setweight(pg_catalog.to_tsvector('pg_catalog.english', coalesce(p_venture_name, '')), 'A')
    || pg_catalog.setweight(pg_catalog.to_tsvector('pg_catalog.english', coalesce(p_heading, '')), 'B')
    || pg_catalog.setweight(pg_catalog.to_tsvector('pg_catalog.english', v_body), 'C')
    || pg_catalog.setweight(pg_catalog.to_tsvector('pg_catalog.english', coalesce(p_labels, '')), 'D'))
  on conflict (source_table, source_id) do update
    set kind = excluded.kind, venture_id = excluded.venture_id, lifecycle_stage = excluded.lifecycle_stage,
        title = excluded.title, body = excluded.body, document = excluded.document, updated_at = pg_catalog.now()
    -- An unchanged document is left as it is (no new row version, no new embedding).
    where (d.kind, d.venture_id, d.lifecycle_stage, d.title, d.body, d.document)
      is distinct from (excluded.kind, excluded.venture_id, excluded.lifecycle_stage, excluded.title, excluded.body, excluded.document)
  returning d.id into v_written;
  if v_written is null then
    return v_id;
  end if;
  v_id := v_written;
  -- The embedding is of the title and body: made again only when they change.
  if (select s.value from eva_private.settings s where s.key = 'search.embeddings') = 'true'::jsonb
     and (not v_existed or (v_old_title, v_old_body) is distinct from (p_title, v_body)) then
    if v_existed then
      -- Never rank by the meaning of a text the document no longer has (the column exists only with pgvector).
      execute 'update eva.search_documents set embedding = null, embedding_model = null where id = $1 and embedding is not null'
        using v_id;
    end if;
    if exists (select 1 from eva_private.settings s where s.key = 'search.embedding_model') then
      perform graphile_worker.add_job('search_embed', pg_catalog.json_build_object('documentId', v_id),
        job_key := 'search_embed:' || v_id, max_attempts := 5);
    end if;
  end if;
  return v_id;
end;
$$;
comment on function eva_private.fn_search_put(text, text, text, uuid, int, text, text, text, text, text) is
  'Writes (or replaces) one search document with its weighted tsvector; queues its embedding where pgvector is installed.';
