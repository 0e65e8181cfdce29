-- Up Migration

-- The learning loop (spec §17.5, §17.11): Thompson sampling over the bandits
-- of migration 030, fed exactly once per rollup window from the daily rollups
-- of migration 032. The pinned parameters live in one row; every observation,
-- selection (with every sample drawn), decay, transfer and hourly channel
-- allocation is a row, and each arm's posterior is kept per day, so what the
-- optimizer believed on a given day, and why it picked what it picked, is a
-- query. Arms gain a business-model context (contextual bandits) and a
-- Champion-Challenger status.
create schema if not exists marketing authorization eva_owner;
grant usage on schema marketing to eva_chairman, eva_service, eva_viewer;

alter table marketing.bandit_arms
  -- The venture's business-model type (SaaS, marketplace, …): cross-venture priors flow only between arms of one context.
  add column context_key text not null default '' check (context_key ~ '^[a-z0-9_]{0,60}$'),
  add column status text not null default 'challenger' check (status in ('champion', 'challenger', 'retired')),
  add column status_changed_at timestamptz;
comment on column marketing.bandit_arms.context_key is
  'The business-model type of the arm''s venture (its strategic_context.business_model_type, else its archetype): contextual bandits keep one winner per type; transferred priors come only from arms of the same type.';
comment on column marketing.bandit_arms.status is
  'champion (promoted by the daily Champion-Challenger evaluation), challenger (still competing) or retired (an underperformer: never selected again).';

create table marketing.bandit_parameters (
  id boolean primary key default true check (id),
  engagement_weight numeric not null default 0.3 check (engagement_weight between 0 and 1),
  conversion_weight numeric not null default 0.7 check (conversion_weight between 0 and 1),
  decay_factor numeric not null default 0.97 check (decay_factor > 0 and decay_factor <= 1),
  prior_strength numeric not null default 0.3 check (prior_strength > 0 and prior_strength <= 1),
  min_observations int not null default 100 check (min_observations between 100 and 200),
  promote_probability numeric not null default 0.95 check (promote_probability > 0.5 and promote_probability < 1),
  retire_probability numeric not null default 0.05 check (retire_probability > 0 and retire_probability < 0.5),
  allocation_floor numeric not null default 0.02 check (allocation_floor >= 0 and allocation_floor < 0.5),
  probability_draws int not null default 2000 check (probability_draws between 100 and 100000),
  -- Send-time slots (UTC HH:MI) a platform's send-time bandit starts with.
  send_time_slots text[] not null default '{09:00,13:00,17:00,21:00}'
    check (cardinality(send_time_slots) between 1 and 24),
  updated_at timestamptz not null default now(),
  check (engagement_weight + conversion_weight = 1)
);
comment on table marketing.bandit_parameters is
  'The learning loop''s pinned parameters (spec §17.5), one row: reward = engagement_weight × engagement + conversion_weight × conversion; weekly decay_factor towards the prior; prior_strength of cross-venture priors; min_observations (exposures) per arm before any promotion or retirement; promote / retire thresholds on the probability of being best (from probability_draws posterior draws per arm); allocation_floor, the least budget share a channel keeps.';
insert into marketing.bandit_parameters default values;

-- One row per arm and rollup window (a UTC day): the counts it saw, the
-- reward they make and the posterior before and after. Unique per window, so
-- a window is counted exactly once however often observe runs.
create table marketing.bandit_observations (
  id bigint generated always as identity primary key,
  arm_id uuid not null references marketing.bandit_arms (id),
  bandit_id uuid not null references marketing.bandit_state (id),
  venture_id uuid not null references eva.ventures (id),
  window_date date not null,
  platform text not null,
  exposures bigint not null check (exposures > 0),
  engagements bigint not null,
  clicks bigint not null,
  conversions bigint not null,
  engagement numeric not null check (engagement between 0 and 1),
  conversion numeric not null check (conversion between 0 and 1),
  reward numeric not null check (reward between 0 and 1),
  alpha_before numeric not null,
  beta_before numeric not null,
  alpha_after numeric not null,
  beta_after numeric not null,
  observed_at timestamptz not null default now(),
  unique (arm_id, window_date)
);
comment on table marketing.bandit_observations is
  'The bandits'' ledger: one row per arm and closed rollup day (exactly once), with the counts, engagement = engagements / exposures, conversion = conversions / clicks (0 without clicks), reward = 0.3 × engagement + 0.7 × conversion, and the posterior before and after (α += exposures × reward, β += exposures × (1 − reward)). Append-only.';
create index bandit_observations_venture_idx on marketing.bandit_observations (venture_id, window_date);

-- Every Thompson selection with every sample drawn (and the posterior it was drawn from).
create table marketing.bandit_selections (
  id bigint generated always as identity primary key,
  bandit_id uuid not null references marketing.bandit_state (id),
  venture_id uuid not null references eva.ventures (id),
  scope text not null check (scope in ('channel', 'variant', 'send_time')),
  arm_id uuid not null references marketing.bandit_arms (id),
  arm_value text not null,
  -- [{arm_id, arm_value, alpha, beta, sample}], one per arm that could be chosen.
  samples jsonb not null check (pg_catalog.jsonb_typeof(samples) = 'array'),
  purpose text not null default 'schedule' check (purpose ~ '^[a-z_]{1,40}$'),
  -- What the selection decided (a dispatch, a content item), when there is one.
  subject_id uuid,
  selected_at timestamptz not null default clock_timestamp()
);
comment on table marketing.bandit_selections is
  'Each Thompson-sampling selection: the arm chosen and every sample drawn from Beta(alpha, beta) of each selectable arm, so why it picked X is a query. Append-only.';
create index bandit_selections_bandit_idx on marketing.bandit_selections (bandit_id, selected_at);
create index bandit_selections_venture_idx on marketing.bandit_selections (venture_id, selected_at);

-- Each arm's posterior once per day (marketing.fn_bandit_snapshot): "what did it believe on March 3".
create table marketing.bandit_arm_snapshots (
  snapshot_date date not null,
  arm_id uuid not null references marketing.bandit_arms (id),
  bandit_id uuid not null references marketing.bandit_state (id),
  venture_id uuid not null references eva.ventures (id),
  scope text not null,
  scope_key text not null,
  arm_value text not null,
  context_key text not null,
  status text not null,
  alpha numeric not null,
  beta_param numeric not null,
  prior_alpha numeric not null,
  prior_beta numeric not null,
  observations int not null,
  last_selected_at timestamptz,
  taken_at timestamptz not null default now(),
  primary key (arm_id, snapshot_date)
);
comment on table marketing.bandit_arm_snapshots is
  'Each arm''s posterior Beta(alpha, beta_param), status and observations at the end of a UTC day, once per day (marketing.fn_bandit_snapshot); marketing.fn_bandit_arms_at reads it. Append-only.';
create index bandit_arm_snapshots_venture_idx on marketing.bandit_arm_snapshots (venture_id, snapshot_date);

-- The weekly decay, once per week.
create table marketing.bandit_decay_runs (
  week_start date primary key check (extract(isodow from week_start) = 1),
  decay_factor numeric not null,
  arms int not null,
  applied_at timestamptz not null default now()
);
comment on table marketing.bandit_decay_runs is
  'Weekly decays applied (marketing.fn_bandit_decay): the Monday of the week, the factor and how many arms; one per week.';

-- The hourly channel allocation: each channel's share of the venture's budget.
create table marketing.bandit_channel_allocations (
  id bigint generated always as identity primary key,
  venture_id uuid not null references eva.ventures (id),
  platform text not null,
  arm_id uuid not null references marketing.bandit_arms (id),
  allocated_hour timestamptz not null,
  probability_best numeric not null check (probability_best between 0 and 1),
  share numeric not null check (share between 0 and 1),
  allocated_cents bigint not null check (allocated_cents >= 0),
  pool_cents bigint not null check (pool_cents >= 0),
  created_at timestamptz not null default now(),
  unique (venture_id, platform, allocated_hour)
);
comment on table marketing.bandit_channel_allocations is
  'Hourly channel allocation (marketing.fn_bandit_allocate_channels): per venture, platform and hour the probability the channel''s arm is best, its budget share (floor + the rest by that probability) and the cents it may spend this month (never above the platform''s own cap); the budget governor refuses a post over the latest allocation. Append-only.';

alter table marketing.intelligence_transfer_map
  add column target_bandit_id uuid references marketing.bandit_state (id),
  add column context_key text not null default '',
  -- {"<arm_value>": [source arm ids]}: the arms the cluster's aggregate came from.
  add column source_arms jsonb not null default '{}' check (pg_catalog.jsonb_typeof(source_arms) = 'object');
create unique index intelligence_transfer_map_once on marketing.intelligence_transfer_map (target_bandit_id, source_venture_id)
  where target_bandit_id is not null;

-- Down Migration
drop index marketing.intelligence_transfer_map_once;
alter table marketing.intelligence_transfer_map drop column source_arms, drop column context_key, drop column target_bandit_id;
drop table marketing.bandit_channel_allocations, marketing.bandit_decay_runs, marketing.bandit_arm_snapshots,
  marketing.bandit_selections, marketing.bandit_observations, marketing.bandit_parameters;
alter table marketing.bandit_arms drop column status_changed_at, drop column status, drop column context_key;
