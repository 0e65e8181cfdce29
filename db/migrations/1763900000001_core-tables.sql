-- Up Migration

-- The venture data model (spec §1, §3, §5, §6, §11, §15). Column names follow
-- the spec so that a psql user can read it beside the spec. Rows are keyed by
-- venture wherever they belong to one, so a distributed PostgreSQL could
-- co-locate them later.

create table eva.portfolios (
  id uuid primary key default gen_random_uuid(),
  name text not null unique check (char_length(name) between 1 and 200),
  description text,
  roi_target numeric check (roi_target is null or roi_target >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table eva.portfolios is 'Investment groupings of companies, each with an ROI target.';

create table eva.companies (
  id uuid primary key default gen_random_uuid(),
  portfolio_id uuid not null references eva.portfolios (id),
  name text not null check (char_length(name) between 1 and 200),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (portfolio_id, name)
);
comment on table eva.companies is 'Legal entities of a portfolio; a venture may belong to one.';
create index companies_portfolio_id_idx on eva.companies (portfolio_id);

create table eva.lifecycle_phases (
  id int primary key check (id between 1 and 6),
  phase_name text not null unique,
  purpose text not null,
  first_stage int not null,
  last_stage int not null,
  check (first_stage <= last_stage)
);
comment on table eva.lifecycle_phases is 'The six phases of the 25-stage lifecycle (spec §8).';

create table eva.artifact_types (
  name text primary key check (name ~ '^[a-z][a-z0-9_]*$'),
  description text not null
);
comment on table eva.artifact_types is 'The kinds of artifact stages produce and consume (spec §5).';

create table eva.lifecycle_stage_config (
  stage_number int primary key check (stage_number between 1 and 25),
  stage_name text not null unique,
  phase_number int not null references eva.lifecycle_phases (id),
  work_type text not null check (work_type in ('human_input', 'analysis', 'sd_bridge', 'sd_execution', 'measurement')),
  gate_type eva.gate_type not null default 'none',
  reality_gate boolean not null default false,
  chairman_gate boolean not null default false,
  sd_required boolean not null default false,
  depends_on int[] not null default '{}',
  required_artifacts text[] not null default '{}',
  produces text[] not null,
  description text not null,
  check (cardinality(produces) >= 1)
);
comment on table eva.lifecycle_stage_config is
  'The 25 stages: phase, gate, cross-stage contract (depends_on, required_artifacts, produces), Chairman gate and SD requirement (spec §7.4, §8).';
comment on column eva.lifecycle_stage_config.reality_gate is 'True where the stage closes a phase and a Reality Gate is evaluated on leaving it (5, 9, 12, 16, 20).';
comment on column eva.lifecycle_stage_config.chairman_gate is 'True where the Chairman must decide before the venture moves on (10, 22, 25).';

create table eva.ventures (
  id uuid primary key default gen_random_uuid(),
  company_id uuid references eva.companies (id),
  name text not null check (char_length(name) between 1 and 200),
  description text not null check (char_length(description) >= 50),
  problem_statement text not null check (char_length(problem_statement) >= 20),
  value_prop text not null check (char_length(value_prop) >= 20),
  target_market text not null check (char_length(target_market) >= 10),
  archetype eva.venture_archetype not null,
  key_assumptions text[] not null default '{}',
  success_criteria text[] not null default '{}',
  moat_strategy text,
  raw_chairman_intent text,
  vertical_category text,
  strategic_context jsonb not null default '{}',
  status eva.venture_status not null default 'active',
  current_lifecycle_stage int not null default 1 check (current_lifecycle_stage between 1 and 25),
  stage_entered_at timestamptz not null default now(),
  status_changed_at timestamptz not null default now(),
  health_score numeric check (health_score is null or health_score between 0 and 1),
  health_status text,
  projected_revenue numeric,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table eva.ventures is 'Individual products/startups, each moving through the 25-stage lifecycle.';
comment on column eva.ventures.status is
  'Lifecycle status: active, awaiting_decision (a blocking Chairman decision is pending), paused, and the terminal killed, sunset, exited.';
comment on column eva.ventures.current_lifecycle_stage is 'The stage the venture is in (1-25). Changed only by eva.fn_advance_venture_stage and the routing functions.';
create unique index ventures_name_key on eva.ventures (lower(name));
create index ventures_company_id_idx on eva.ventures (company_id);
create index ventures_status_stage_idx on eva.ventures (status, current_lifecycle_stage);

create table eva.venture_stage_work (
  id uuid primary key default gen_random_uuid(),
  venture_id uuid not null references eva.ventures (id),
  lifecycle_stage int not null references eva.lifecycle_stage_config (stage_number),
  run_number int not null default 1 check (run_number >= 1),
  status eva.stage_work_status not null default 'ready',
  gate_decision text,
  gate_outcome jsonb,
  blocked_reason text,
  attempts int not null default 0 check (attempts >= 0),
  started_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (venture_id, lifecycle_stage, run_number),
  check ((status = 'blocked') = (blocked_reason is not null)),
  check ((gate_decision is null) = (gate_outcome is null))
);
comment on table eva.venture_stage_work is
  'Per-venture stage progress: one row per run of a stage; at most one open (ready, in_progress, blocked, awaiting_decision) row per venture.';
comment on column eva.venture_stage_work.gate_decision is 'The enum outcome of the stage''s gate (spec §7.2), recorded before the venture may leave a gated stage.';
create unique index venture_stage_work_one_open on eva.venture_stage_work (venture_id)
  where status in ('ready', 'in_progress', 'blocked', 'awaiting_decision');
create index venture_stage_work_status_idx on eva.venture_stage_work (status) where status in ('ready', 'in_progress');

create table eva.gate_decision_options (
  gate_type eva.gate_type not null,
  decision text not null,
  passes boolean not null,
  primary key (gate_type, decision)
);
comment on table eva.gate_decision_options is 'Enum outcomes of each gate type (spec §7.2) and whether each lets the venture advance.';

create table eva.venture_stage_transitions (
  id bigint generated always as identity primary key,
  venture_id uuid not null references eva.ventures (id),
  from_stage int not null check (from_stage between 0 and 25),
  to_stage int not null check (to_stage between 1 and 25),
  transition_type text not null check (transition_type in ('advance', 'revise', 'pivot', 'ops_cycle')),
  gate_decision text,
  reason text,
  actor text not null default current_user,
  created_at timestamptz not null default now()
);
comment on table eva.venture_stage_transitions is 'Immutable audit trail of stage changes.';
create index venture_stage_transitions_venture_idx on eva.venture_stage_transitions (venture_id, id);

create table eva.venture_state_history (
  id bigint generated always as identity primary key,
  venture_id uuid not null references eva.ventures (id),
  from_status eva.venture_status,
  to_status eva.venture_status not null,
  reason text,
  actor text not null default current_user,
  created_at timestamptz not null default now()
);
comment on table eva.venture_state_history is 'Immutable audit trail of venture status changes.';
create index venture_state_history_venture_idx on eva.venture_state_history (venture_id, id);

create table eva.venture_artifacts (
  id uuid primary key default gen_random_uuid(),
  venture_id uuid not null references eva.ventures (id),
  lifecycle_stage int not null check (lifecycle_stage between 0 and 25),
  artifact_type text not null references eva.artifact_types (name),
  version int not null check (version >= 1),
  is_current boolean not null default true,
  content jsonb not null,
  file_url text,
  quality_score int check (quality_score between 0 and 100),
  validation_status eva.validation_status not null default 'pending',
  epistemic_classification eva.epistemic_classification not null,
  epistemic_evidence jsonb not null default '{}',
  provenance jsonb not null default '{}',
  stage_work_id uuid references eva.venture_stage_work (id),
  created_by text not null default current_user,
  created_at timestamptz not null default now(),
  unique (venture_id, lifecycle_stage, artifact_type, version)
);
comment on table eva.venture_artifacts is
  'Stage artifacts, immutably versioned (spec §5, Decision #34): a new version flips the previous is_current in the same transaction; content is never updated or deleted.';
comment on column eva.venture_artifacts.version is 'Assigned by the database on insert: 1 + the highest version of this venture/stage/type.';
create unique index venture_artifacts_one_current on eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type) where is_current;
create unique index venture_artifacts_once_per_run on eva.venture_artifacts (stage_work_id, artifact_type) where stage_work_id is not null;

create table eva.chairman_decision_types (
  decision_type text primary key check (decision_type ~ '^[a-z][a-z_]*$'),
  description text not null
);
comment on table eva.chairman_decision_types is 'The kinds of decision the Chairman makes (spec §11).';

create table eva.chairman_decision_options (
  decision_type text not null references eva.chairman_decision_types (decision_type),
  decision text not null check (decision ~ '^[a-z][a-z_]*$'),
  outcome text not null check (outcome in ('approval', 'rejection', 'override')),
  description text not null,
  primary key (decision_type, decision)
);
comment on table eva.chairman_decision_options is 'The decisions allowed for each decision type (spec §11); chairman_decisions references it.';

create table eva.chairman_decisions (
  id uuid primary key default gen_random_uuid(),
  venture_id uuid references eva.ventures (id),
  lifecycle_stage int not null check (lifecycle_stage between 0 and 25),
  decision_type text not null references eva.chairman_decision_types (decision_type),
  status eva.decision_status not null default 'pending',
  decision text,
  recommended_action text,
  urgency eva.decision_urgency not null default 'immediate',
  blocking boolean not null default true,
  context jsonb not null default '{}',
  artifact_type text,
  artifact_version int,
  notes text,
  decided_by text,
  decided_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  foreign key (decision_type, decision) references eva.chairman_decision_options (decision_type, decision),
  foreign key (decision_type, recommended_action) references eva.chairman_decision_options (decision_type, decision),
  foreign key (venture_id, lifecycle_stage, artifact_type, artifact_version)
    references eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, version),
  check (lifecycle_stage = 0 or venture_id is not null),
  check ((artifact_type is null) = (artifact_version is null)),
  check ((status = 'decided') = (decision is not null)),
  check ((status = 'decided') = (decided_at is not null))
);
comment on table eva.chairman_decisions is
  'Decisions the Chairman is asked for (status pending) and has made (status decided). Decisions are allowed only per type (chairman_decision_options).';
comment on column eva.chairman_decisions.artifact_version is
  'The version of the artifact the decision''s context was generated from; if that version is no longer current the decision is stale.';
create unique index chairman_decisions_one_pending on eva.chairman_decisions (venture_id, lifecycle_stage, decision_type)
  where status = 'pending' and venture_id is not null;
create index chairman_decisions_pending_idx on eva.chairman_decisions (created_at) where status = 'pending';
create index chairman_decisions_venture_idx on eva.chairman_decisions (venture_id);

create table eva.chairman_preferences (
  id uuid primary key default gen_random_uuid(),
  scope eva.preference_scope not null,
  venture_id uuid references eva.ventures (id),
  key text not null check (key ~ '^[a-z][a-z0-9_]*$'),
  value text not null,
  updated_at timestamptz not null default now(),
  unique nulls not distinct (scope, venture_id, key),
  check ((scope = 'global') = (venture_id is null))
);
comment on table eva.chairman_preferences is 'Chairman thresholds and preferences, global or per venture (spec §6); venture scope wins.';

create table eva.venture_dependencies (
  id uuid primary key default gen_random_uuid(),
  dependent_venture_id uuid not null references eva.ventures (id),
  provider_venture_id uuid not null references eva.ventures (id),
  required_stage int not null check (required_stage between 1 and 25),
  dependency_type eva.dependency_type not null,
  status eva.dependency_status not null default 'pending',
  created_at timestamptz not null default now(),
  resolved_at timestamptz,
  unique (dependent_venture_id, provider_venture_id, required_stage),
  check (dependent_venture_id <> provider_venture_id)
);
comment on table eva.venture_dependencies is 'Inter-venture dependencies (Decision #32): hard ones block the dependent venture, soft ones warn.';
create index venture_dependencies_provider_idx on eva.venture_dependencies (provider_venture_id);

create table eva.eva_event_log (
  id bigint generated always as identity primary key,
  event_type text not null check (event_type ~ '^[a-z_]+(\.[a-z_]+)+$'),
  venture_id uuid references eva.ventures (id),
  payload jsonb not null default '{}',
  actor text not null default current_user,
  created_at timestamptz not null default clock_timestamp()
);
comment on table eva.eva_event_log is 'Append-only event log (the event bus''s persistence); every insert is NOTIFYed on channel eva_events. The id is a cursor.';
create index eva_event_log_venture_idx on eva.eva_event_log (venture_id, id);
create index eva_event_log_type_idx on eva.eva_event_log (event_type, id);

create table eva.eva_event_dlq (
  id bigint generated always as identity primary key,
  event_id bigint references eva.eva_event_log (id),
  event_type text not null,
  payload jsonb not null default '{}',
  failure_reason text not null,
  retry_count int not null default 0 check (retry_count >= 0),
  status eva.dlq_status not null default 'pending',
  created_at timestamptz not null default now(),
  last_failed_at timestamptz not null default now()
);
comment on table eva.eva_event_dlq is 'Dead letter queue: events whose handling failed, kept for analysis and replay.';

create table eva.agent_task_contracts (
  id uuid primary key default gen_random_uuid(),
  parent_agent text not null,
  target_agent text not null,
  venture_id uuid references eva.ventures (id),
  action text not null,
  lifecycle_stage int check (lifecycle_stage between 0 and 25),
  token_budget int check (token_budget >= 0),
  timeout interval not null default '30 minutes',
  priority int not null default 3 check (priority between 1 and 5),
  context jsonb not null default '{}',
  status eva.contract_status not null default 'pending',
  claimed_by text,
  result jsonb,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  completed_at timestamptz,
  updated_at timestamptz not null default now()
);
comment on table eva.agent_task_contracts is 'Units of work between EVA and a service (pending, assigned, in_progress, completed, failed, timeout).';
create index agent_task_contracts_venture_idx on eva.agent_task_contracts (venture_id);
create index agent_task_contracts_open_idx on eva.agent_task_contracts (status) where status in ('pending', 'assigned', 'in_progress');

create table eva.eva_sagas (
  id uuid primary key default gen_random_uuid(),
  venture_id uuid not null references eva.ventures (id),
  saga_type eva.saga_type not null,
  current_step text not null,
  status eva.saga_status not null default 'active',
  context jsonb not null default '{}',
  retry_count int not null default 0 check (retry_count >= 0),
  max_retries int not null default 3 check (max_retries >= 0),
  started_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  completed_at timestamptz,
  timeout_at timestamptz
);
comment on table eva.eva_sagas is 'Durable state of long operations (spec §15): SD execution, reality gate retry, venture retirement.';
create index idx_eva_sagas_active on eva.eva_sagas (venture_id, saga_type) where status = 'active';

create table eva.eva_alerts (
  id uuid primary key default gen_random_uuid(),
  venture_id uuid references eva.ventures (id),
  severity eva.alert_severity not null,
  alert_type text not null,
  message text not null,
  details jsonb not null default '{}',
  status eva.alert_status not null default 'open',
  created_at timestamptz not null default now(),
  acknowledged_at timestamptz,
  resolved_at timestamptz
);
comment on table eva.eva_alerts is 'Tiered alerts (P0/P1/P2) for the Chairman.';
create index eva_alerts_open_idx on eva.eva_alerts (severity, created_at) where status = 'open';

create table eva.venture_token_budgets (
  venture_id uuid primary key references eva.ventures (id),
  budget_tokens bigint not null check (budget_tokens >= 0),
  consumed_tokens bigint not null default 0 check (consumed_tokens >= 0),
  updated_at timestamptz not null default now()
);
comment on table eva.venture_token_budgets is 'Per-venture LLM token allocation and consumption.';

create table eva.venture_phase_budgets (
  venture_id uuid not null references eva.ventures (id),
  phase_number int not null references eva.lifecycle_phases (id),
  budget_tokens bigint not null check (budget_tokens >= 0),
  consumed_tokens bigint not null default 0 check (consumed_tokens >= 0),
  updated_at timestamptz not null default now(),
  primary key (venture_id, phase_number)
);
comment on table eva.venture_phase_budgets is 'Per-venture, per-phase token breakdown.';

create table eva.venture_circuit_breakers (
  venture_id uuid not null references eva.ventures (id),
  service text not null,
  state eva.circuit_state not null default 'closed',
  consecutive_failures int not null default 0 check (consecutive_failures >= 0),
  failure_threshold int not null default 3 check (failure_threshold >= 1),
  cooldown interval not null default '5 minutes',
  last_error text,
  opened_at timestamptz,
  updated_at timestamptz not null default now(),
  primary key (venture_id, service),
  check ((state = 'closed') or opened_at is not null)
);
comment on table eva.venture_circuit_breakers is
  'Per-venture circuit breakers (spec §3): open after failure_threshold consecutive failures, half-open after cooldown.';

-- Down Migration
drop table eva.venture_circuit_breakers, eva.venture_phase_budgets, eva.venture_token_budgets, eva.eva_alerts,
  eva.eva_sagas, eva.agent_task_contracts, eva.eva_event_dlq, eva.eva_event_log, eva.venture_dependencies,
  eva.chairman_preferences, eva.chairman_decisions, eva.chairman_decision_options, eva.chairman_decision_types,
  eva.venture_artifacts, eva.venture_state_history, eva.venture_stage_transitions, eva.gate_decision_options,
  eva.venture_stage_work, eva.ventures, eva.lifecycle_stage_config, eva.artifact_types, eva.lifecycle_phases,
  eva.companies, eva.portfolios;
