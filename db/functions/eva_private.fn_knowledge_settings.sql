-- The knowledge base's settings (eva_private.settings knowledge.*), for the
-- extractor and the predictor that run as eva_service.
create or replace function eva_private.fn_knowledge_settings()
returns table (key text, value jsonb)
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select s.key, s.value from eva_private.settings s where s.key like 'knowledge.%' order by s.key;
$$;
comment on function eva_private.fn_knowledge_settings() is
  'The knowledge.* settings: prior strength of the mortality curves, least support and lift of a pattern, least template similarity.';
grant execute on function eva_private.fn_knowledge_settings() to eva_service;
