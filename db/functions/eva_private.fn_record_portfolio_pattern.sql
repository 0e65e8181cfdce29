-- One write path into the portfolio knowledge base (spec §10, cross-venture
-- learning): a pattern seen at a stage, counting the ventures beyond the
-- first that produced it. The DFE's signatures (eva.fn_record_stage_result)
-- and what knowledge extraction learns from gates and kills both go through it.
-- PL/pgSQL, not SQL: most stage runs and every knowledge extraction call it,
-- and a SQL function is parsed and planned on every call.
create or replace function eva_private.fn_record_portfolio_pattern(p_stage int, p_signature text, p_venture_id uuid)
returns eva.portfolio_patterns
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_pattern eva.portfolio_patterns;
begin
  insert into eva.portfolio_patterns as pp (lifecycle_stage, pattern_signature, first_venture_id)
  values (p_stage, p_signature, p_venture_id)
  on conflict (lifecycle_stage, pattern_signature) do update
    set ventures_seen = pp.ventures_seen + case when pp.first_venture_id = excluded.first_venture_id then 0 else 1 end,
        last_seen_at = pg_catalog.now()
  returning * into v_pattern;
  return v_pattern;
end;
$$;
comment on function eva_private.fn_record_portfolio_pattern(int, text, uuid) is
  'Records a pattern signature seen at a stage in eva.portfolio_patterns (new, or one more venture seen).';
grant execute on function eva_private.fn_record_portfolio_pattern(int, text, uuid) to eva_service;
