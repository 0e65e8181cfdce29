-- Up Migration

-- Stage 0 in full (spec §16): the blueprint and discovery entry paths, the
-- briefs the synthesis engine writes, the Chairman's outcomes it learns from,
-- and the nursery's trigger conditions, review schedule and staleness.

-- Blueprint Browse: templates with a category and parameters ({{key}} in the
-- templates, each parameter with a default), from which a brief is derived.
create table eva.venture_blueprints (
  id text primary key check (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text not null check (char_length(name) between 1 and 200),
  category text not null check (char_length(category) between 1 and 100),
  description text not null,
  ehg_archetype text not null check (ehg_archetype in ('democratizer', 'automator', 'capability_productizer',
    'first_principles_rebuilder', 'vertical_specialist', 'portfolio_connector')),
  venture_archetype eva.venture_archetype not null,
  name_template text not null,
  problem_template text not null,
  solution_template text not null,
  target_market_template text not null,
  -- [{"key": "industry", "label": "…", "default": "…"}]
  parameters jsonb not null default '[]'::jsonb check (pg_catalog.jsonb_typeof(parameters) = 'array'),
  created_at timestamptz not null default now()
);
comment on table eva.venture_blueprints is
  'Blueprint templates for the blueprint_browse entry path: category, EHG archetype, {{parameter}} templates and parameter defaults.';

-- Discovery Mode: the four strategies, their runs and ranked candidates.
create table eva.discovery_strategies (
  name text primary key check (name in ('trend_scanner', 'democratization_finder', 'capability_overhang',
    'nursery_reeval')),
  purpose text not null,
  signal_source text not null,
  prompt_focus text not null,
  default_candidates int not null default 5 check (default_candidates between 1 and 20),
  enabled boolean not null default true
);
comment on table eva.discovery_strategies is
  'The discovery_mode strategies (spec §16): what each looks for and how many candidates it generates by default.';

create table eva.discovery_runs (
  id uuid primary key default gen_random_uuid(),
  strategy text not null references eva.discovery_strategies (name),
  candidates_requested int not null check (candidates_requested between 1 and 20),
  -- The nursery item a scheduled re-evaluation was for (nursery_reeval), if one.
  nursery_id uuid references eva.venture_nursery (id),
  epistemic_classification eva.epistemic_classification not null,
  provenance jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
comment on table eva.discovery_runs is 'One discovery_mode run: its strategy, how many candidates it asked for, and the analysis'' provenance.';

create table eva.discovery_candidates (
  id uuid primary key default gen_random_uuid(),
  run_id uuid not null references eva.discovery_runs (id),
  name text not null,
  problem_statement text not null,
  solution text not null,
  target_market text not null,
  automation_feasibility numeric(4, 2) not null check (automation_feasibility between 0 and 10),
  competition_bonus numeric(4, 2) not null check (competition_bonus between 0 and 10),
  -- The spec's ranking, held by the database: automation_feasibility * 10 + competition_bonus.
  rank_score numeric generated always as (automation_feasibility * 10 + competition_bonus) stored,
  nursery_id uuid references eva.venture_nursery (id),
  detail jsonb not null default '{}'::jsonb,
  selected boolean not null default false,
  created_at timestamptz not null default now()
);
comment on table eva.discovery_candidates is
  'The candidates of a discovery run, ranked by rank_score (automation_feasibility * 10 + competition_bonus); the selected one became the path output.';
create index discovery_candidates_run_rank_idx on eva.discovery_candidates (run_id, rank_score desc);
create unique index discovery_candidates_one_selected on eva.discovery_candidates (run_id) where selected;

-- The synthesis engine's briefs: written when the Chairman's review opens,
-- linked to the venture when it is approved (spec: persistVentureBrief).
create table eva.venture_briefs (
  id uuid primary key default gen_random_uuid(),
  decision_id uuid not null unique references eva.chairman_decisions (id),
  venture_id uuid unique references eva.ventures (id),
  name text not null,
  origin_type text not null check (origin_type in ('manual', 'competitor_teardown', 'blueprint_browse',
    'discovery_mode', 'nursery_reeval')),
  maturity text not null check (maturity in ('ready', 'seed', 'sprout', 'blocked', 'nursery')),
  venture_score int not null check (venture_score between 0 and 100),
  weighted_score numeric(5, 2) check (weighted_score between 0 and 100),
  profile_id uuid references eva.evaluation_profiles (id),
  brief jsonb not null,
  epistemic_classification eva.epistemic_classification not null,
  provenance jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
comment on table eva.venture_briefs is
  'Stage 0 briefs with their full synthesis (eight components, profile, weighted score, forecast); venture_id set when the Chairman approves.';

-- What the Chairman decided about each brief, for the cross-reference component to learn from.
create table eva.venture_synthesis_feedback (
  id uuid primary key default gen_random_uuid(),
  decision_id uuid not null unique references eva.chairman_decisions (id),
  brief_id uuid references eva.venture_briefs (id),
  outcome text not null check (outcome in ('approved', 'parked', 'killed')),
  name text not null,
  origin_type text,
  archetype text,
  venture_score int,
  problem_statement text,
  notes text,
  created_at timestamptz not null default now()
);
comment on table eva.venture_synthesis_feedback is
  'Outcome learning records: approved / parked / killed per Stage 0 review, read back by the cross-reference component.';

-- The nursery's trigger conditions, when an idea was first parked, how often
-- it was re-evaluated, and when it went stale (180 days parked).
alter table eva.venture_nursery
  add column trigger_conditions jsonb not null default '[]'::jsonb
    check (pg_catalog.jsonb_typeof(trigger_conditions) = 'array'),
  add column maturity text check (maturity is null or maturity in ('ready', 'seed', 'sprout', 'blocked', 'nursery')),
  add column parked_at timestamptz not null default now(),
  add column reevaluations int not null default 0 check (reevaluations >= 0),
  add column reevaluation_queued_for timestamptz,
  add column stale_at timestamptz;
comment on column eva.venture_nursery.trigger_conditions is
  'What would make the idea worth another look (from the synthesis: time horizon, constraints); re-checked on each re-evaluation.';
comment on column eva.venture_nursery.stale_at is 'Set by the nursery check when the idea has been parked 180 days (scheduler time).';

-- Its triggers (db/functions/eva_private.tg_venture_nursery_park.sql, tg_venture_review_decided.sql)
-- fill these columns and record the Chairman's outcomes.

insert into eva.discovery_strategies (name, purpose, signal_source, prompt_focus) values
  ('trend_scanner', 'Trending products generating $1K+/month that can be fully automated', 'LLM market research',
   'Find products or niches with visible demand (at least $1K/month of revenue for existing players) whose delivery can be fully automated by software and AI agents.'),
  ('democratization_finder', 'Premium services ($500+/session) that AI can offer at a tenth of the cost',
   'LLM service analysis',
   'Find premium professional services billed at $500 or more per session whose core can be delivered by AI at one tenth of the price, with quality a customer accepts.'),
  ('capability_overhang', 'AI capabilities that exist but are not productized', 'LLM capability-market gap analysis',
   'Find capabilities current AI models already have that no product packages for a specific buyer yet: the gap between what models can do and what is sold.'),
  ('nursery_reeval', 'Re-score parked ideas whose conditions may have changed', 'venture_nursery + LLM re-assessment',
   'Re-assess ideas the Chairman parked: which trigger conditions have changed, how automatable they are now, and how crowded their market has become.');

insert into eva.venture_blueprints (id, name, category, description, ehg_archetype, venture_archetype, name_template,
  problem_template, solution_template, target_market_template, parameters) values
  ('ai-bookkeeping', 'AI bookkeeping for a niche', 'finance',
   'Automated bookkeeping and reconciliation for one kind of small business.', 'automator', 'saas',
   '{{industry}} Ledger',
   '{{industry}} businesses spend {{hours}} hours a month reconciling invoices, payments and receipts by hand.',
   'An AI bookkeeper that reads bank feeds and documents, reconciles them and files monthly books for {{industry}} businesses.',
   'Owners of {{industry}} businesses in {{region}}',
   '[{"key": "industry", "label": "Industry served", "default": "Dental practice"}, {"key": "region", "label": "Region", "default": "the EU"}, {"key": "hours", "label": "Hours lost a month", "default": "12"}]'),
  ('expert-on-demand', 'A premium service at a tenth of the price', 'professional-services',
   'A premium consultation delivered by AI at a tenth of the price of the human service.', 'democratizer', 'services',
   '{{service}} for Everyone',
   'A {{service}} session costs {{price}} and takes weeks to book, so most {{audience}} go without.',
   'An AI-delivered {{service}} with human review, available the same day for a tenth of {{price}}.',
   '{{audience}} priced out of {{service}}',
   '[{"key": "service", "label": "The premium service", "default": "Legal contract review"}, {"key": "price", "label": "Its usual price", "default": "$600"}, {"key": "audience", "label": "Who goes without", "default": "freelancers"}]'),
  ('vertical-copilot', 'A copilot for one profession', 'vertical-software',
   'Workflow software with an AI copilot built for one profession''s daily work.', 'vertical_specialist', 'saas',
   '{{profession}} Copilot',
   '{{profession}}s lose hours every week to {{task}}, which generic tools do not understand.',
   'A copilot that knows {{profession}} workflows and does {{task}} end to end inside the tools they already use.',
   '{{profession}}s at firms of {{firm_size}} people',
   '[{"key": "profession", "label": "Profession", "default": "Property manager"}, {"key": "task", "label": "The painful task", "default": "tenant communication and maintenance scheduling"}, {"key": "firm_size", "label": "Firm size", "default": "5-50"}]'),
  ('model-capability-product', 'Productize an unpackaged model capability', 'ai-products',
   'A product that packages a capability current models already have for a buyer that cannot use raw models.',
   'capability_productizer', 'saas', '{{capability}} Studio',
   '{{buyer}} could use {{capability}} but no product packages it for their workflow.',
   'A focused product that turns {{capability}} into a one-click workflow for {{buyer}}, priced per use.',
   '{{buyer}}',
   '[{"key": "capability", "label": "Model capability", "default": "Long-document summarization"}, {"key": "buyer", "label": "Buyer", "default": "Compliance teams at mid-size banks"}]'),
  ('marketplace-rebuild', 'Rebuild a marketplace from first principles', 'marketplaces',
   'A two-sided marketplace rebuilt without the incumbent''s legacy costs.', 'first_principles_rebuilder',
   'marketplace', '{{market}} Direct',
   'The incumbent {{market}} marketplaces take a {{take_rate}} cut and still leave buyers and sellers to negotiate by hand.',
   'A marketplace for {{market}} where AI agents match, price and settle deals, with a take rate under half the incumbents''.',
   'Buyers and sellers in {{market}}',
   '[{"key": "market", "label": "Market", "default": "used industrial equipment"}, {"key": "take_rate", "label": "Incumbent take rate", "default": "15 %"}]'),
  ('portfolio-data-bridge', 'A bridge between portfolio ventures', 'portfolio',
   'A venture that connects the customers or data of existing portfolio ventures.', 'portfolio_connector', 'saas',
   '{{domain}} Bridge',
   'Customers of {{domain}} tools re-enter the same data in several products that do not talk to each other.',
   'A connector product that syncs {{domain}} data across the tools customers already use, starting with the portfolio''s own ventures.',
   'Teams using two or more {{domain}} tools',
   '[{"key": "domain", "label": "Domain", "default": "Small-business finance"}]');

-- A brief is about ten calls now (path, eight components, forecast): the default ideation budget grows with it.
update eva_private.settings set value = '1000000',
  description = 'Stage 0 ideation token budget a portfolio gets (about a hundred full syntheses: path, eight components, forecast).'
where key = 'budget.ideation_tokens' and value = '200000';

-- Down Migration
update eva_private.settings set value = '200000',
  description = 'Stage 0 ideation token budget a portfolio gets (about a hundred briefs).'
where key = 'budget.ideation_tokens' and value = '1000000';
drop trigger if exists _850_venture_review_decided on eva.chairman_decisions;
drop trigger if exists _050_park on eva.venture_nursery;
alter table eva.venture_nursery drop column trigger_conditions, drop column maturity, drop column parked_at,
  drop column reevaluations, drop column reevaluation_queued_for, drop column stale_at;
drop table eva.venture_synthesis_feedback;
drop table eva.venture_briefs;
drop table eva.discovery_candidates;
drop table eva.discovery_runs;
drop table eva.discovery_strategies;
drop table eva.venture_blueprints;
