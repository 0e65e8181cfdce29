-- The analysis cache lives in eva_private (never exposed); services read and
-- write it only through these two functions (PL/pgSQL: planned once per
-- session, where a SQL function is planned on every call of every stage run).
create or replace function eva_private.fn_analysis_cache_get(p_prompt_hash text, p_model text)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_output jsonb;
begin
  update eva_private.analysis_cache
  set hits = hits + 1, last_hit_at = pg_catalog.now()
  where prompt_hash = p_prompt_hash and model = p_model
  returning output into v_output;
  return v_output;
end;
$$;
comment on function eva_private.fn_analysis_cache_get(text, text) is 'The cached answer for a prompt hash and model (null if none), counting the hit.';
grant execute on function eva_private.fn_analysis_cache_get(text, text) to eva_service;

create or replace function eva_private.fn_analysis_cache_put(
  p_prompt_hash text, p_model text, p_output jsonb, p_prompt_tokens int, p_completion_tokens int
)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  insert into eva_private.analysis_cache (prompt_hash, model, output, prompt_tokens, completion_tokens)
  values (p_prompt_hash, p_model, p_output, p_prompt_tokens, p_completion_tokens)
  on conflict (prompt_hash, model) do nothing;
end;
$$;
comment on function eva_private.fn_analysis_cache_put(text, text, jsonb, int, int) is 'Stores an answer for a prompt hash and model (the first answer stays).';
grant execute on function eva_private.fn_analysis_cache_put(text, text, jsonb, int, int) to eva_service;
