-- Search across ventures (eva search, GraphQL `search`): full-text matches of
-- the query (websearch syntax, english stemming) and trigram matches of it in
-- a document's title (a misspelt or partial venture name), ranked by
-- 0.7 × ts_rank_cd (normalized to 0..1) + 0.3 × word similarity. Security
-- invoker: the caller's row level security decides what it finds.
create or replace function eva.fn_search(
  p_query text, p_venture_id uuid default null, p_stage int default null, p_limit int default 20
)
returns table (
  document_id bigint, kind text, venture_id uuid, lifecycle_stage int, title text, snippet text,
  rank double precision, text_rank double precision, similarity double precision
)
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_q tsquery;
  v_limit int := least(greatest(coalesce(p_limit, 20), 1), 200);
begin
  if pg_catalog.btrim(coalesce(p_query, '')) = '' then
    raise exception 'search needs words to look for' using errcode = 'EV400';
  end if;
  if p_stage is not null and p_stage not between 0 and 25 then
    raise exception 'stage must be between 0 and 25, not %', p_stage using errcode = 'EV400';
  end if;
  v_q := pg_catalog.websearch_to_tsquery('pg_catalog.english', p_query);
  return query
  with hits as (
    select d.id from eva.search_documents d
    where d.document @@ v_q
      and (p_venture_id is null or d.venture_id = p_venture_id)
      and (p_stage is null or d.lifecycle_stage = p_stage)
    union
    select d.id from eva.search_documents d
    where p_query operator(eva_ext.<%) d.title
      and (p_venture_id is null or d.venture_id = p_venture_id)
      and (p_stage is null or d.lifecycle_stage = p_stage)
  ), scored as (
    select d.id, d.kind, d.venture_id, d.lifecycle_stage, d.title, d.body,
      pg_catalog.ts_rank_cd(d.document, v_q, 32)::float8 as tr,
      eva_ext.word_similarity(p_query, d.title)::float8 as ws
    from hits h join eva.search_documents d on d.id = h.id
  ), top as (
    select s.*, 0.7 * s.tr + 0.3 * s.ws as r from scored s order by 0.7 * s.tr + 0.3 * s.ws desc, s.id limit v_limit
  )
  select t.id, t.kind, t.venture_id, t.lifecycle_stage, t.title,
    pg_catalog.ts_headline('pg_catalog.english', pg_catalog.left(t.body, 5000), v_q,
      'MaxWords=24, MinWords=8, MaxFragments=1, StartSel=«, StopSel=»'),
    t.r, t.tr, t.ws
  from top t
  order by t.r desc, t.id;
end;
$$;
comment on function eva.fn_search(text, uuid, int, int) is
  'Searches every venture''s names, briefs, current artifacts and learnings the caller may read: full-text (weighted A name, B title, C text, D labels) plus trigram similarity of the title, best first.';
grant execute on function eva.fn_search(text, uuid, int, int) to eva_chairman, eva_service, eva_viewer;
