-- Up Migration

-- Stage 0 (spec §16): ideas the Chairman parked (the Venture Nursery), and the
-- Chairman's default thresholds for the Decision Filter Engine (spec §6).

create type eva.nursery_status as enum ('parked', 'editing', 'revived', 'dropped');

create table eva.venture_nursery (
  id uuid primary key default gen_random_uuid(),
  decision_id uuid not null unique references eva.chairman_decisions (id),
  name text not null,
  brief jsonb not null,
  status eva.nursery_status not null default 'parked',
  reason text,
  review_at timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table eva.venture_nursery is
  'Warm storage for Stage 0 briefs the Chairman parked (or sent back for editing), with a date to review them again.';

-- Cross-venture learning (spec §10): the pattern signatures the Decision
-- Filter Engine has seen per stage, so its novel_pattern trigger knows the portfolio.
create table eva.portfolio_patterns (
  lifecycle_stage int not null check (lifecycle_stage between 1 and 25),
  pattern_signature text not null check (char_length(pattern_signature) between 1 and 300),
  first_venture_id uuid not null references eva.ventures (id),
  ventures_seen int not null default 1 check (ventures_seen >= 1),
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  primary key (lifecycle_stage, pattern_signature)
);
comment on table eva.portfolio_patterns is
  'Pattern signatures of stage outcomes seen across the portfolio (cross-venture learning); the DFE''s novel_pattern trigger reads them.';

-- The Chairman's global defaults for the Decision Filter Engine (src/gates/dfe.ts
-- DEFAULT_GLOBAL_PREFERENCES; spec §6 for cost and score). Without them every
-- stage would escalate, since missing preferences are conservative.
insert into eva.chairman_preferences (scope, key, value) values
  ('global', 'cost_threshold', '50000'),
  ('global', 'score_threshold', '50'),
  ('global', 'approved_vendors', 'React, Next.js, Vue, Static site generator, Server-rendered web app, Node.js, TypeScript, JavaScript, Python, FastAPI, Django, Go, SQL, PostgreSQL, Redis, Managed cloud containers, Managed platform (PaaS), CDN + serverless functions'),
  ('global', 'drift_escalation_severity', 'MEDIUM'),
  ('global', 'novel_pattern_min_portfolio', '1');

-- Down Migration
delete from eva.chairman_preferences where scope = 'global' and key in
  ('cost_threshold', 'score_threshold', 'approved_vendors', 'drift_escalation_severity', 'novel_pattern_min_portfolio');
drop table eva.portfolio_patterns;
drop table eva.venture_nursery;
drop type eva.nursery_status;
