-- Up Migration

-- What the stage engine needs beside the core model: a ledger of the tokens
-- each LLM call cost (spec §2 Finance Service: venture_budget_transactions),
-- the analysis cache (prompt hash + model → answer), and the default token
-- budget every new venture gets.

create table eva.venture_budget_transactions (
  id bigint generated always as identity primary key,
  venture_id uuid not null references eva.ventures (id),
  lifecycle_stage int not null check (lifecycle_stage between 0 and 25),
  phase_number int references eva.lifecycle_phases (id),
  stage_work_id uuid references eva.venture_stage_work (id),
  purpose text not null check (purpose in ('analysis', 'devils_advocate', 'ideation', 'content')),
  prompt_tokens int not null check (prompt_tokens >= 0),
  completion_tokens int not null check (completion_tokens >= 0),
  estimated boolean not null default false,
  provenance jsonb not null default '{}',
  created_at timestamptz not null default now()
);
comment on table eva.venture_budget_transactions is
  'Ledger of LLM tokens charged to a venture: one row per analysis (cache hits cost nothing and write none).';
create index venture_budget_transactions_venture_idx on eva.venture_budget_transactions (venture_id, id);

create table eva_private.analysis_cache (
  prompt_hash text not null check (prompt_hash ~ '^[0-9a-f]{64}$'),
  model text not null,
  output jsonb not null,
  prompt_tokens int not null check (prompt_tokens >= 0),
  completion_tokens int not null check (completion_tokens >= 0),
  hits bigint not null default 0,
  created_at timestamptz not null default now(),
  last_hit_at timestamptz,
  primary key (prompt_hash, model)
);
comment on table eva_private.analysis_cache is 'Answers by prompt hash and model: an unchanged stage re-run is served from here at zero tokens.';

create table eva_private.settings (
  key text primary key check (key ~ '^[a-z][a-z0-9_.]*$'),
  value jsonb not null,
  description text not null
);
comment on table eva_private.settings is 'Operational defaults the database applies (e.g. the token budget of a new venture).';

insert into eva_private.settings (key, value, description) values
  ('budget.venture_tokens', '2000000', 'Token budget a new venture gets.'),
  ('budget.phase_share', '{"1": 0.15, "2": 0.15, "3": 0.15, "4": 0.2, "5": 0.2, "6": 0.15}',
   'Share of the venture budget each phase gets.');

-- Which decision the Chairman makes at each Chairman gate (spec §11).
alter table eva.lifecycle_stage_config
  add column chairman_decision_type text references eva.chairman_decision_types (decision_type);
update eva.lifecycle_stage_config set chairman_decision_type = case stage_number
  when 10 then 'brand_approval' when 22 then 'release_decision' when 25 then 'venture_future' end
where chairman_gate;
alter table eva.lifecycle_stage_config
  add constraint lifecycle_stage_config_chairman_decision check (chairman_gate = (chairman_decision_type is not null));
comment on column eva.lifecycle_stage_config.chairman_decision_type is 'The decision type the Chairman decides at this stage''s Chairman gate.';

-- Live EVA worker processes. graphile-worker frees a crashed worker's jobs
-- only after 4 hours; EVA's workers beat here and free the jobs of workers
-- whose heartbeat stopped (src/worker.ts).
create table eva_private.worker_heartbeats (
  worker_id text primary key,
  host text not null,
  pid int not null,
  started_at timestamptz not null default now(),
  beat_at timestamptz not null default now()
);
comment on table eva_private.worker_heartbeats is 'graphile-worker ids of live EVA worker processes and their last heartbeat.';

-- Down Migration
drop table eva_private.worker_heartbeats;
alter table eva.lifecycle_stage_config drop column chairman_decision_type;
drop table eva_private.settings, eva_private.analysis_cache, eva.venture_budget_transactions;
