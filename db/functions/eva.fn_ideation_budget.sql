-- What Stage 0 may still spend: the ideation budget of a portfolio, named by
-- id or name, or — when none is named — of the only portfolio there is. A
-- portfolio without a budget row has the default (setting
-- budget.ideation_tokens), nothing consumed yet. eva ideate checks it before
-- the call, so a brief that could overshoot is refused.
create or replace function eva.fn_ideation_budget(p_portfolio text default null)
returns table (portfolio_id uuid, portfolio_name text, budget_tokens bigint, consumed_tokens bigint,
  remaining_tokens bigint)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_portfolio eva.portfolios;
  v_count int;
begin
  if p_portfolio is null then
    select pg_catalog.count(*) into v_count from eva.portfolios;
    if v_count <> 1 then
      raise exception 'there are % portfolios: name the one whose ideation budget pays for this brief', v_count
        using errcode = 'EV400', hint = 'eva ideate --portfolio <name>';
    end if;
    select * into v_portfolio from eva.portfolios;
  else
    select * into v_portfolio from eva.portfolios p
    where p.name = p_portfolio or p.id::text = pg_catalog.lower(p_portfolio);
    if not found then
      raise exception 'there is no portfolio "%"', p_portfolio using errcode = 'EV404';
    end if;
  end if;
  return query
  select v_portfolio.id, v_portfolio.name, coalesce(b.budget_tokens, d.budget), coalesce(b.consumed_tokens, 0),
    coalesce(b.budget_tokens, d.budget) - coalesce(b.consumed_tokens, 0)
  from (select (s.value #>> '{}')::bigint as budget from eva_private.settings s where s.key = 'budget.ideation_tokens') d
  left join eva.portfolio_ideation_budgets b on b.portfolio_id = v_portfolio.id;
end;
$$;
comment on function eva.fn_ideation_budget(text) is
  'The Stage 0 ideation budget of a portfolio (by id or name; null: the only portfolio): tokens allotted, consumed and remaining.';
grant execute on function eva.fn_ideation_budget(text) to eva_service, eva_chairman, eva_viewer;
