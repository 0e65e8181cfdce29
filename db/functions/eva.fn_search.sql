-- Search across ventures (eva search, GraphQL `search`): full-text matches of
-- the query (websearch syntax, english stemming) and trigram matches of it in
-- a venture's name (a misspelt or partial name), ranked by
-- 0.7 × ts_rank_cd (normalized to 0..1) + 0.3 × word similarity of the title.
-- Of the ventures' name documents that match, at most the first 200 found are
-- ranked, and of the other documents (briefs, artifacts, learnings) the first
-- 200: a word every document contains costs the same as a rare one. Then
-- `capped` is true on the rows; more words, a venture or a stage narrow it.
-- Security invoker: the caller's row level security decides what it finds.
-- Its result gained `capped`: a changed return type needs the old function dropped first.
drop function if exists eva.fn_search(text, uuid, int, int);
create or replace function eva.fn_search(
  p_query text, p_venture_id uuid default null, p_stage int default null, p_limit int default 20
)
returns table (
  document_id bigint, kind text, venture_id uuid, lifecycle_stage int, title text, snippet text,
  rank double precision, text_rank double precision, similarity double precision, capped boolean
)
language plpgsql
stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_q tsquery;
  v_limit int := least(greatest(coalesce(p_limit, 20), 1), 200);
  v_name_cap constant int := 200;
  v_cap constant int := 200;
begin
  if pg_catalog.btrim(coalesce(p_query, '')) = '' then
    raise exception 'search needs words to look for' using errcode = 'EV400';
  end if;
  if p_stage is not null and p_stage not between 0 and 25 then
    raise exception 'stage must be between 0 and 25, not %', p_stage using errcode = 'EV400';
  end if;
  v_q := pg_catalog.websearch_to_tsquery('pg_catalog.english', p_query);
  return query
  with names as (
    select d.id, d.document, d.title from eva.search_documents d
    where d.kind = 'name' and (d.document @@ v_q or p_query operator(eva_ext.<%) d.title)
      and (p_venture_id is null or d.venture_id = p_venture_id)
      and (p_stage is null or d.lifecycle_stage = p_stage)
    limit v_name_cap
  ), others as (
    select d.id, d.document from eva.search_documents d
    where d.kind <> 'name' and d.document @@ v_q
      and (p_venture_id is null or d.venture_id = p_venture_id)
      and (p_stage is null or d.lifecycle_stage = p_stage)
    limit v_cap
  ), scored as (
    select n.id, pg_catalog.ts_rank_cd(n.document, v_q, 32)::float8 as tr,
      eva_ext.word_similarity(p_query, n.title)::float8 as ws, false as other
    from names n
    union all
    select o.id, pg_catalog.ts_rank_cd(o.document, v_q, 32)::float8, 0::float8, true from others o
  ), counted as (
    select s.*, 0.7 * s.tr + 0.3 * s.ws as r,
      pg_catalog.count(*) filter (where s.other) over () as n_others,
      pg_catalog.count(*) filter (where not s.other) over () as n_names
    from scored s
  ), top as (
    select c.* from counted c order by c.r desc, c.id limit v_limit
  )
  -- Only the results' rows are read in full (their text, for the snippet).
  select d.id, d.kind, d.venture_id, d.lifecycle_stage, d.title,
    pg_catalog.ts_headline('pg_catalog.english', pg_catalog.left(d.body, 600), v_q,
      'MaxWords=24, MinWords=8, MaxFragments=1, StartSel=«, StopSel=»'),
    t.r, t.tr, t.ws, t.n_others >= v_cap or t.n_names >= v_name_cap
  from top t join eva.search_documents d on d.id = t.id
  order by t.r desc, t.id;
end;
$$;
comment on function eva.fn_search(text, uuid, int, int) is
  'Searches every venture''s names, briefs, current artifacts and learnings the caller may read: full-text (weighted A name, B heading, C text, D labels) plus trigram similarity of venture names, best first; capped: more documents matched than are ranked (200 venture names, 200 others).';
grant execute on function eva.fn_search(text, uuid, int, int) to eva_chairman, eva_service, eva_viewer;

