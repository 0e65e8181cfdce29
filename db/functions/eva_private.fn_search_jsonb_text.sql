-- The words of an artifact's JSON content: every string value, in document
-- order, so full-text search reads what the analysis wrote, not its keys.
create or replace function eva_private.fn_search_jsonb_text(p_content jsonb)
returns text
language sql
immutable
strict
parallel safe
set search_path = pg_catalog, pg_temp
as $$
  select coalesce(pg_catalog.string_agg(v #>> '{}', ' '), '')
  from pg_catalog.jsonb_path_query(p_content, 'strict $.**') as v
  where pg_catalog.jsonb_typeof(v) = 'string';
$$;
comment on function eva_private.fn_search_jsonb_text(jsonb) is
  'Every string value of a JSON document joined by spaces (the searchable text of an artifact).';
