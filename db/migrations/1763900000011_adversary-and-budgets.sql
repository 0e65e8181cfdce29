-- Up Migration

-- The Devil's Advocate's review is an artifact of its own (spec §7.5): stored,
-- versioned and classified like any other, at the stages whose gate it reviews
-- (kill gates 3, 5, 13, 23; promotion gates 16, 17, 22). Appended, so each
-- stage's primary artifact stays produces[1].
update eva.lifecycle_stage_config
set produces = produces || '{devils_advocate_review}'::text[]
where stage_number in (3, 5, 13, 16, 17, 22, 23)
  and not ('devils_advocate_review' = any (produces));

-- Stage 0 (spec §16) spends tokens before any venture exists: its briefs are
-- charged to the portfolio's ideation budget.
create table eva.portfolio_ideation_budgets (
  portfolio_id uuid primary key references eva.portfolios (id),
  budget_tokens bigint not null check (budget_tokens >= 0),
  consumed_tokens bigint not null default 0 check (consumed_tokens >= 0),
  updated_at timestamptz not null default now()
);
comment on table eva.portfolio_ideation_budgets is
  'Per-portfolio LLM token allocation for Stage 0 ideation (briefs are made before a venture exists) and its consumption.';

-- The token ledger takes Stage 0's charges too: a row belongs to a venture or,
-- for ideation, to a portfolio.
alter table eva.venture_budget_transactions
  alter column venture_id drop not null,
  add column portfolio_id uuid references eva.portfolios (id),
  add constraint venture_budget_transactions_owner check (
    (venture_id is not null and portfolio_id is null)
    or (venture_id is null and portfolio_id is not null and purpose = 'ideation' and lifecycle_stage = 0));
comment on column eva.venture_budget_transactions.portfolio_id is
  'For Stage 0 ideation (no venture yet): the portfolio whose ideation budget was charged.';
create index venture_budget_transactions_portfolio_idx on eva.venture_budget_transactions (portfolio_id, id)
  where portfolio_id is not null;

insert into eva_private.settings (key, value, description) values
  ('budget.ideation_tokens', '200000', 'Stage 0 ideation token budget a portfolio gets (about a hundred briefs).');

-- The portfolio Stage 0 charges when none is named (eva ideate --portfolio).
insert into eva.portfolios (name, description)
values ('EVA portfolio', 'The default portfolio: Stage 0 briefs are charged to its ideation budget unless another portfolio is named.')
on conflict (name) do nothing;

-- Down Migration
delete from eva.portfolios p where p.name = 'EVA portfolio'
  and not exists (select 1 from eva.companies c where c.portfolio_id = p.id)
  and not exists (select 1 from eva.portfolio_ideation_budgets b where b.portfolio_id = p.id)
  and not exists (select 1 from eva.venture_budget_transactions t where t.portfolio_id = p.id);
delete from eva_private.settings where key = 'budget.ideation_tokens';
delete from eva.venture_budget_transactions where portfolio_id is not null;
drop index eva.venture_budget_transactions_portfolio_idx;
alter table eva.venture_budget_transactions
  drop constraint venture_budget_transactions_owner,
  drop column portfolio_id,
  alter column venture_id set not null;
drop table eva.portfolio_ideation_budgets;
update eva.lifecycle_stage_config set produces = pg_catalog.array_remove(produces, 'devils_advocate_review');
