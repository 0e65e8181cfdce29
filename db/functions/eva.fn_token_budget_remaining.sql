-- What a venture may still spend, overall and in the phase of a stage: the
-- stage engine checks it before an LLM call (an exhausted budget blocks the
-- stage, it never crashes it). A venture without a budget row has no limit.
create or replace function eva.fn_token_budget_remaining(p_venture_id uuid, p_stage int)
returns table (venture_remaining bigint, phase_remaining bigint, phase_number int)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
-- PL/pgSQL keeps the plan per session (a SQL function is planned on every call; each stage run calls this).
as $$ begin return query
  select
    (select b.budget_tokens - b.consumed_tokens from eva.venture_token_budgets b where b.venture_id = p_venture_id),
    (select pb.budget_tokens - pb.consumed_tokens from eva.venture_phase_budgets pb
     where pb.venture_id = p_venture_id and pb.phase_number = s.phase_number),
    s.phase_number
  from eva.lifecycle_stage_config s
  where s.stage_number = greatest(p_stage, 1);
end $$;
comment on function eva.fn_token_budget_remaining(uuid, int) is
  'Tokens left for a venture overall and in the phase of the given stage (null: no budget set).';
grant execute on function eva.fn_token_budget_remaining(uuid, int) to eva_service, eva_chairman, eva_viewer;
