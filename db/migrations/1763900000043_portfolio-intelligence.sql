-- Up Migration

-- Portfolio intelligence (spec §10, §16 advanced analytics): what the
-- portfolio learns from its own outcomes. The knowledge base (calibration of
-- the Stage 3/5 scores, successful patterns, anti-patterns), the stage-of-death
-- predictor's mortality curves, predictions and their calibration, the gate
-- signals per tracked boundary and profile, the counterfactual engine's
-- re-scores, and venture templates with the recommendations they make.
-- Written by eva_private functions (db/functions) only; everyone signed in reads.

-- Trigram similarity for template recommendations, in a schema of its own so
-- every user of pg_trgm agrees on where it lives (eva_ext.similarity).
create schema if not exists eva_ext;
create extension if not exists pg_trgm with schema eva_ext;
grant usage on schema eva_ext to eva_chairman, eva_service, eva_viewer;

-- Calibration (spec §10): how the Stage 3 and Stage 5 figures the kill gates
-- read did against what became of the ventures, per band of the figure.
create table eva.portfolio_calibration (
  lifecycle_stage int not null check (lifecycle_stage in (3, 5)),
  metric text not null check (metric ~ '^[a-z][a-z0-9_]*$'),
  band text not null,
  band_low numeric,
  band_high numeric,
  ventures int not null check (ventures >= 0),
  passed_gate int not null check (passed_gate >= 0),
  died_later int not null check (died_later >= 0),
  launched int not null check (launched >= 0),
  pending int not null check (pending >= 0),
  mean_value numeric,
  pass_rate numeric check (pass_rate is null or pass_rate between 0 and 1),
  death_rate numeric check (death_rate is null or death_rate between 0 and 1),
  computed_at timestamptz not null default now(),
  primary key (lifecycle_stage, metric, band)
);
comment on table eva.portfolio_calibration is
  'Knowledge base calibration: per band of a Stage 3 / Stage 5 figure, how many ventures passed the gate, died later, launched (Stage 23+) or are still open (fact: counted from the portfolio).';

-- Successful patterns and anti-patterns (spec §10): stage outcomes and
-- retrospectives whose ventures did better (or worse) than the stage's baseline.
create table eva.portfolio_success_patterns (
  lifecycle_stage int not null check (lifecycle_stage between 1 and 25),
  pattern_signature text not null check (char_length(pattern_signature) between 1 and 300),
  source text not null check (source in ('stage_outcome', 'retrospective')),
  ventures int not null check (ventures >= 1),
  died int not null check (died >= 0),
  succeeded int not null check (succeeded >= 0),
  rate numeric not null check (rate between 0 and 1),
  baseline numeric not null check (baseline between 0 and 1),
  lift numeric,
  evidence jsonb not null default '{}',
  computed_at timestamptz not null default now(),
  primary key (lifecycle_stage, pattern_signature)
);
comment on table eva.portfolio_success_patterns is
  'Successful patterns: choices at a stage whose ventures reached launch or a Stage 25 continue/exit more often than the stage''s ventures did (rate = succeeded / ventures, baseline the stage''s).';

create table eva.portfolio_anti_patterns (like eva.portfolio_success_patterns including all);
comment on table eva.portfolio_anti_patterns is
  'Anti-patterns: choices at a stage, and retrospectives'' weaknesses, whose ventures died more often than the stage''s ventures did (rate = died / ventures, baseline the stage''s). The DFE''s novel_pattern trigger and the stage-of-death predictor read them.';

-- The stage-of-death predictor (spec §16): hazard per stage, from the kills.
create table eva.stage_mortality_curves (
  segment text not null check (segment ~ '^[a-z_]+$'),
  lifecycle_stage int not null check (lifecycle_stage between 1 and 25),
  exposed int not null check (exposed >= 0),
  died int not null check (died >= 0 and died <= exposed),
  prior_hazard numeric not null check (prior_hazard between 0 and 1),
  hazard numeric not null check (hazard between 0 and 1),
  basis text not null check (basis in ('portfolio', 'blended', 'prior')),
  computed_at timestamptz not null default now(),
  primary key (segment, lifecycle_stage)
);
comment on table eva.stage_mortality_curves is
  'Per-stage mortality: of the ventures whose fate at the stage is known (exposed), how many died there; hazard = (died + k·prior) / (exposed + k), basis prior where no venture was exposed, blended while few were. Segment all, or an archetype.';

create table eva.stage_of_death_predictions (
  id uuid primary key default gen_random_uuid(),
  venture_id uuid not null references eva.ventures (id),
  profile_id uuid,
  profile_name text,
  profile_version int,
  from_stage int not null check (from_stage between 1 and 25),
  predicted_stage int check (predicted_stage between 1 and 25),
  death_probability numeric not null check (death_probability between 0 and 1),
  distribution jsonb not null,
  amplifiers jsonb not null default '[]',
  basis jsonb not null default '{}',
  predicted_at timestamptz not null default now(),
  outcome text check (outcome in ('died', 'survived')),
  outcome_stage int check (outcome_stage between 1 and 25),
  resolved_at timestamptz,
  check ((outcome is null) = (resolved_at is null))
);
comment on table eva.stage_of_death_predictions is
  'Stage-of-death predictions: per stage from from_stage on, the hazard used and the probability of dying there; predicted_stage the likeliest stage of death (null when surviving is likelier than any one stage). Resolved when the venture dies or succeeds.';
create index stage_of_death_predictions_venture_idx on eva.stage_of_death_predictions (venture_id, predicted_at desc);
create index stage_of_death_predictions_open_idx on eva.stage_of_death_predictions (venture_id) where resolved_at is null;

create table eva.stage_of_death_prediction_scores (
  prediction_id uuid not null references eva.stage_of_death_predictions (id),
  lifecycle_stage int not null check (lifecycle_stage between 1 and 25),
  hazard numeric not null check (hazard between 0 and 1),
  died boolean not null,
  brier numeric not null,
  log_loss numeric not null,
  scored_at timestamptz not null default now(),
  primary key (prediction_id, lifecycle_stage)
);
comment on table eva.stage_of_death_prediction_scores is
  'Calibration of predictions as outcomes arrive: per stage a venture has got past (or died at), the predicted hazard, what happened, its Brier score and log loss.';

-- Gate signals (spec §16 gate signal service): a survival signal per venture,
-- tracked boundary and evaluation profile.
create table eva.evaluation_profile_outcomes (
  venture_id uuid not null references eva.ventures (id),
  boundary text not null check (boundary in ('stage_3', '5->6', '9->10', '12->13', '16->17', '20->21', 'graduation')),
  profile_key text not null,
  profile_id uuid,
  profile_version int,
  survival_probability numeric not null check (survival_probability between 0 and 1),
  score numeric,
  threshold numeric,
  signal text not null check (signal in ('pass', 'fail', 'unknown')),
  outcome text not null check (outcome in ('passed', 'failed', 'pending')),
  basis jsonb not null default '{}',
  recorded_at timestamptz not null default now(),
  primary key (venture_id, boundary, profile_key)
);
comment on table eva.evaluation_profile_outcomes is
  'Gate signals: per venture, tracked boundary and evaluation profile (profile_key legacy without one), the predicted survival probability to the boundary, the profile''s score against its threshold (signal), and what happened (outcome).';

-- The counterfactual engine (spec §16): ventures re-scored under other profiles, no model call.
create table eva.counterfactual_runs (
  id uuid primary key default gen_random_uuid(),
  ventures int not null check (ventures >= 0),
  profiles jsonb not null,
  accuracy jsonb not null,
  llm_calls int not null default 0 check (llm_calls = 0),
  created_at timestamptz not null default now()
);
comment on table eva.counterfactual_runs is
  'Batch counterfactual runs (N ventures × P profiles): per profile, Kendall''s tau-b between its scores and the ventures'' real outcomes. llm_calls is 0 by construction.';

create table eva.counterfactual_scores (
  run_id uuid not null references eva.counterfactual_runs (id),
  venture_id uuid not null references eva.ventures (id),
  profile_key text not null,
  profile_id uuid,
  profile_version int,
  score numeric check (score is null or score between 0 and 100),
  actual_score numeric,
  outcome_rank numeric,
  outcome text not null,
  primary key (run_id, venture_id, profile_key)
);
comment on table eva.counterfactual_scores is
  'What-if scores: a venture''s synthesis results re-weighted under a profile, beside its recorded score and its real outcome (rank: furthest stage reached, deaths below survivors).';

-- Venture templates (spec §10, Decision #29).
create table eva.venture_templates (
  id uuid primary key default gen_random_uuid(),
  domain text not null,
  archetype eva.venture_archetype not null,
  source_venture_id uuid not null unique references eva.ventures (id),
  source_decision text not null check (source_decision in ('continue', 'exit')),
  domain_text text not null,
  scoring_thresholds jsonb not null default '{}',
  architecture_patterns jsonb not null default '{}',
  pricing_defaults jsonb not null default '{}',
  gtm_channel_weights jsonb not null default '{}',
  dfe_thresholds jsonb not null default '{}',
  created_at timestamptz not null default now()
);
comment on table eva.venture_templates is
  'Templates extracted when a venture reaches Stage 25 with continue or exit: its kill-gate scores (3/5), architecture (14), pricing (7), GTM channel weights (11, 24) and DFE thresholds; domain_text is what similarity compares.';
create index venture_templates_domain_trgm on eva.venture_templates using gin (domain_text eva_ext.gin_trgm_ops);

create table eva.venture_template_recommendations (
  venture_id uuid not null references eva.ventures (id),
  template_id uuid not null references eva.venture_templates (id),
  similarity numeric not null check (similarity between 0 and 1),
  recommended_at timestamptz not null default now(),
  primary key (venture_id, template_id)
);
comment on table eva.venture_template_recommendations is
  'Templates recommended to a venture at Stage 1 by domain similarity (trigram similarity of the domain texts, archetype match counted).';

insert into eva_private.settings (key, value, description) values
  ('knowledge.prior_strength', '4', 'Pseudo-ventures of the mortality prior: hazard = (died + k·prior) / (exposed + k).'),
  ('knowledge.min_support', '2', 'Ventures a pattern needs before it counts as a successful pattern or an anti-pattern.'),
  ('knowledge.min_lift', '1.25', 'How many times the stage''s baseline rate a pattern''s rate must be to count.'),
  ('knowledge.template_min_similarity', '0.15', 'Least domain similarity (0-1) for a template to be recommended.')
on conflict (key) do nothing;

-- Down Migration
delete from eva_private.settings where key like 'knowledge.%';
drop table eva.venture_template_recommendations, eva.venture_templates, eva.counterfactual_scores,
  eva.counterfactual_runs, eva.evaluation_profile_outcomes, eva.stage_of_death_prediction_scores,
  eva.stage_of_death_predictions, eva.stage_mortality_curves, eva.portfolio_anti_patterns,
  eva.portfolio_success_patterns, eva.portfolio_calibration;
