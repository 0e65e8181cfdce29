-- Venture templates for a venture (spec §10: new ventures at Stage 1 receive
-- template recommendations by domain similarity): trigram similarity of the
-- venture's domain text (vertical, target market, problem, value proposition,
-- description) to each template's, plus 0.1 for the same archetype, at least
-- the knowledge.template_min_similarity setting. Its own template excluded.
-- Security definer to read that setting; it returns only what every reader
-- may read (ventures and templates are readable by all signed-in roles).
create or replace function eva.fn_recommend_templates(p_venture_id uuid, p_limit int default 5)
returns table (template_id uuid, domain text, archetype eva.venture_archetype, source_venture_id uuid,
  source_venture_name text, source_decision text, similarity numeric, archetype_match boolean, score numeric)
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  with v as (
    select x.id, x.archetype, pg_catalog.concat_ws(' ', x.vertical_category, x.target_market, x.problem_statement,
      x.value_prop, x.description) as domain_text
    from eva.ventures x where x.id = p_venture_id
  ), scored as (
    select t.id, t.domain, t.archetype, t.source_venture_id, sv.name, t.source_decision,
      pg_catalog.round(eva_ext.similarity(t.domain_text, v.domain_text)::numeric, 4) as similarity,
      t.archetype = v.archetype as archetype_match
    from eva.venture_templates t cross join v
    join eva.ventures sv on sv.id = t.source_venture_id
    where t.source_venture_id <> v.id
  )
  select s.id, s.domain, s.archetype, s.source_venture_id, s.name, s.source_decision, s.similarity, s.archetype_match,
    least(1, s.similarity + case when s.archetype_match then 0.1 else 0 end) as score
  from scored s
  where least(1, s.similarity + case when s.archetype_match then 0.1 else 0 end) >= coalesce(
    (select (k.value #>> '{}')::numeric from eva_private.fn_knowledge_settings() k
     where k.key = 'knowledge.template_min_similarity'), 0.15)
  order by score desc, s.similarity desc, s.id
  limit greatest(coalesce(p_limit, 5), 0);
$$;
comment on function eva.fn_recommend_templates(uuid, int) is
  'Venture templates recommended for a venture by domain similarity (trigram similarity of domain texts, +0.1 for the same archetype), best first, at least knowledge.template_min_similarity.';
grant execute on function eva.fn_recommend_templates(uuid, int) to eva_chairman, eva_service, eva_viewer;
