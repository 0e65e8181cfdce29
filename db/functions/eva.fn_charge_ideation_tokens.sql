-- A Stage 0 brief's tokens are charged to its portfolio's ideation budget (the
-- row is created with the default on first use) with a ledger row carrying
-- the call's provenance and the review it produced. Called in the transaction
-- that opens the Chairman's review, so a brief is charged once.
create or replace function eva.fn_charge_ideation_tokens(
  p_portfolio_id uuid,
  p_decision_id uuid,
  p_prompt_tokens int,
  p_completion_tokens int,
  p_estimated boolean,
  p_provenance jsonb
)
returns table (portfolio_id uuid, portfolio_name text, budget_tokens bigint, consumed_tokens bigint,
  remaining_tokens bigint)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_prompt_tokens < 0 or p_completion_tokens < 0 then
    raise exception 'token counts cannot be negative' using errcode = 'EV400';
  end if;
  if not exists (select 1 from eva.portfolios p where p.id = p_portfolio_id) then
    raise exception 'there is no portfolio %', p_portfolio_id using errcode = 'EV404';
  end if;

  insert into eva.venture_budget_transactions (portfolio_id, lifecycle_stage, purpose, prompt_tokens,
    completion_tokens, estimated, provenance)
  values (p_portfolio_id, 0, 'ideation', p_prompt_tokens, p_completion_tokens, coalesce(p_estimated, false),
    coalesce(p_provenance, '{}'::jsonb) || pg_catalog.jsonb_build_object('decisionId', p_decision_id));

  insert into eva.portfolio_ideation_budgets as b (portfolio_id, budget_tokens, consumed_tokens)
  select p_portfolio_id, (s.value #>> '{}')::bigint, coalesce(p_prompt_tokens, 0) + coalesce(p_completion_tokens, 0)
  from eva_private.settings s where s.key = 'budget.ideation_tokens'
  on conflict on constraint portfolio_ideation_budgets_pkey do update
    set consumed_tokens = b.consumed_tokens + excluded.consumed_tokens;

  return query select * from eva.fn_ideation_budget(p_portfolio_id::text);
end;
$$;
comment on function eva.fn_charge_ideation_tokens(uuid, uuid, int, int, boolean, jsonb) is
  'Charges a Stage 0 brief''s tokens to the portfolio''s ideation budget, writes the ledger row, and returns what is left.';
grant execute on function eva.fn_charge_ideation_tokens(uuid, uuid, int, int, boolean, jsonb) to eva_service;
