-- Up Migration

-- The marketing engine's content side (spec §17.9, §17.10, §17.15): content
-- items and their variants moved through the content lifecycle by ONE
-- function (marketing.fn_content_transition), the brand-compliance reviews
-- that pass them or send them back, the Thompson-sampling state (bandits and
-- arms, per channel, variant and send time), the cross-venture transfer map,
-- each venture's platform accounts (credentials by the NAME of an environment
-- variable or secret, never the secret) and its distribution state (pre-launch
-- from Stage 22, full from Stage 23).
create schema if not exists marketing authorization eva_owner;
grant usage on schema marketing to eva_chairman, eva_service, eva_viewer;

-- The lifecycle's states (§17.10), in order; OPTIMIZE leads to the next cycle's IDEATE.
create table marketing.marketing_content (
  id uuid primary key default gen_random_uuid(),
  venture_id uuid not null references eva.ventures (id),
  content_type text not null default 'social_post' check (content_type in ('social_post', 'email', 'ad')),
  channel_family text not null default 'social' check (channel_family in ('social', 'email', 'paid')),
  concept_tags text[] not null default '{}',
  lifecycle_state text not null default 'IDEATE'
    check (lifecycle_state in ('IDEATE', 'GENERATE', 'REVIEW', 'SCHEDULE', 'DISPATCH', 'MEASURE', 'OPTIMIZE')),
  -- active, or blocked: the review failed too often (or the Chairman stopped it); blocked content moves no more.
  status text not null default 'active' check (status in ('active', 'blocked')),
  blocked_reason text,
  -- Why it exists: the Chairman's or a service's request, Stage 22's pre-launch content, an ops cycle.
  origin text not null default 'request' check (origin in ('request', 'pre_launch', 'ops_cycle')),
  -- Which pass of the loop IDEATE → … → OPTIMIZE this is (OPTIMIZE → IDEATE adds one).
  cycle int not null default 1 check (cycle >= 1),
  -- Which generation of variants is current (each GENERATE writes a new one).
  generation int not null default 0 check (generation >= 0),
  -- Failed reviews of this cycle (REVIEW → GENERATE), for the loop limit.
  review_loops int not null default 0 check (review_loops >= 0),
  state_changed_at timestamptz not null default now(),
  metadata jsonb not null default '{}' check (pg_catalog.jsonb_typeof(metadata) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((status = 'blocked') = (blocked_reason is not null)),
  check (metadata ->> 'lifecycle_state' is null or metadata ->> 'lifecycle_state' = lifecycle_state)
);
comment on table marketing.marketing_content is
  'Marketing content items (spec §17.9) and where each stands in the content lifecycle (§17.10): IDEATE → GENERATE → REVIEW → SCHEDULE → DISPATCH → MEASURE → OPTIMIZE (→ IDEATE). The state changes only through marketing.fn_content_transition; metadata.lifecycle_state mirrors it.';
comment on column marketing.marketing_content.lifecycle_state is
  'IDEATE | GENERATE | REVIEW | SCHEDULE | DISPATCH | MEASURE | OPTIMIZE; moved only by marketing.fn_content_transition.';
comment on column marketing.marketing_content.status is
  'active, or blocked (blocked_reason says why: the brand review failed marketing.max_review_loops times); blocked content takes no transition.';
create index marketing_content_venture_idx on marketing.marketing_content (venture_id, created_at);
create index marketing_content_state_idx on marketing.marketing_content (lifecycle_state, state_changed_at) where status = 'active';
-- Stage 22 starts one pre-launch content item per venture, however often its artifact is re-recorded.
create unique index marketing_content_one_pre_launch on marketing.marketing_content (venture_id) where origin = 'pre_launch';

-- The platforms EVA knows (lowercase); dry_run is a publisher mode, not a platform.
create table marketing.marketing_content_variants (
  id uuid primary key default gen_random_uuid(),
  content_id uuid not null references marketing.marketing_content (id),
  venture_id uuid not null references eva.ventures (id),
  -- Which generation of the content wrote it; only the content's current generation is live.
  generation int not null check (generation >= 1),
  variant_key text not null check (variant_key ~ '^[a-z0-9_]{1,40}$'),
  platform text not null
    check (platform in ('bluesky', 'mastodon', 'x', 'youtube', 'threads', 'linkedin', 'tiktok', 'reddit', 'email')),
  headline text not null check (char_length(headline) between 1 and 300),
  body text not null check (char_length(body) between 1 and 40000),
  cta text not null check (char_length(cta) between 1 and 300),
  visual_brief text not null check (char_length(visual_brief) between 1 and 2000),
  -- The text a publisher posts (within the platform's limit, checked by the review).
  asset_text text not null check (char_length(asset_text) between 1 and 40000),
  asset_image_key text,
  asset_video_key text,
  metadata jsonb not null default '{}' check (pg_catalog.jsonb_typeof(metadata) = 'object'),
  created_at timestamptz not null default now(),
  unique (content_id, generation, platform, variant_key)
);
comment on table marketing.marketing_content_variants is
  'The variants of a content item (spec §17.9): headline, body, CTA and visual brief per platform, and asset_text, what a publisher posts. Written once per generation by eva_private.fn_marketing_record_generation; never updated.';
comment on column marketing.marketing_content_variants.asset_text is
  'What a publisher posts on the platform, within its text limit (src/marketing/platform-limits.ts).';
create index marketing_content_variants_content_idx on marketing.marketing_content_variants (content_id, generation);
create index marketing_content_variants_venture_idx on marketing.marketing_content_variants (venture_id);

-- Every lifecycle transition, with what it carried (a review's feedback, a dispatch's ids) and its event.
create table marketing.marketing_content_transitions (
  id bigint generated always as identity primary key,
  content_id uuid not null references marketing.marketing_content (id),
  venture_id uuid not null references eva.ventures (id),
  cycle int not null,
  from_state text not null,
  to_state text not null,
  detail jsonb not null default '{}',
  event_id bigint,
  actor text not null,
  created_at timestamptz not null default clock_timestamp()
);
comment on table marketing.marketing_content_transitions is
  'The content lifecycle''s history: one row per transition made by marketing.fn_content_transition, with its detail and the event it logged (marketing.content_transitioned). Append-only.';
create index marketing_content_transitions_content_idx on marketing.marketing_content_transitions (content_id, id);

-- The brand-compliance reviews: the deterministic checks (computed in code) and the model's judgement.
create table marketing.marketing_content_reviews (
  id uuid primary key default gen_random_uuid(),
  content_id uuid not null references marketing.marketing_content (id),
  venture_id uuid not null references eva.ventures (id),
  cycle int not null,
  generation int not null check (generation >= 1),
  passed boolean not null,
  -- [{check, passed, variant?, platform?, detail}] — limits, required fields, claims, voice.
  checks jsonb not null check (pg_catalog.jsonb_typeof(checks) = 'array'),
  feedback text[] not null default '{}',
  epistemic_classification eva.epistemic_classification not null,
  provenance jsonb not null default '{}',
  created_at timestamptz not null default now(),
  unique (content_id, cycle, generation),
  check (passed or cardinality(feedback) >= 1)
);
comment on table marketing.marketing_content_reviews is
  'Brand-compliance reviews of a content item''s generation: passed or not, each check with its outcome, the feedback a failed review sends back to GENERATE. Append-only.';

-- Thompson sampling (spec §17.5, §17.9): one bandit per venture and scope
-- (channel; variant per content item; send_time per platform), Beta(alpha, beta_param) per arm.
create table marketing.bandit_state (
  id uuid primary key default gen_random_uuid(),
  venture_id uuid not null references eva.ventures (id),
  scope text not null check (scope in ('channel', 'variant', 'send_time')),
  -- Which bandit of the scope: '' for the venture's channel bandit, the content id for variants, the platform for send times.
  scope_key text not null default '',
  status text not null default 'active' check (status in ('active', 'paused', 'retired')),
  objective_metric text not null default 'composite_reward',
  metadata jsonb not null default '{}' check (pg_catalog.jsonb_typeof(metadata) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (venture_id, scope, scope_key)
);
comment on table marketing.bandit_state is
  'Thompson-sampling bandits (spec §17.5): per venture and scope (channel; variant per content item; send_time per platform).';

create table marketing.bandit_arms (
  id uuid primary key default gen_random_uuid(),
  bandit_id uuid not null references marketing.bandit_state (id),
  venture_id uuid not null references eva.ventures (id),
  arm_type text not null check (arm_type in ('channel', 'variant', 'send_time')),
  arm_value text not null check (char_length(arm_value) between 1 and 200),
  alpha numeric not null default 1 check (alpha > 0),
  beta_param numeric not null default 1 check (beta_param > 0),
  -- The prior the arm started from (1, 1 or a cluster's transferred prior, §17.5).
  prior_alpha numeric not null default 1 check (prior_alpha > 0),
  prior_beta numeric not null default 1 check (prior_beta > 0),
  observations int not null default 0 check (observations >= 0),
  last_selected_at timestamptz,
  metadata jsonb not null default '{}' check (pg_catalog.jsonb_typeof(metadata) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (bandit_id, arm_value)
);
comment on table marketing.bandit_arms is
  'A bandit''s arms (spec §17.9): a channel, a variant id or a send-time slot, with its Beta posterior (alpha, beta_param), observations and last selection.';
create index bandit_arms_venture_idx on marketing.bandit_arms (venture_id);

create table marketing.intelligence_transfer_map (
  id uuid primary key default gen_random_uuid(),
  source_venture_id uuid not null references eva.ventures (id),
  target_venture_id uuid not null references eva.ventures (id),
  cluster_key text not null check (char_length(cluster_key) between 1 and 200),
  scope text not null default 'channel' check (scope in ('channel', 'variant', 'send_time')),
  prior_strength numeric not null default 0.3 check (prior_strength > 0 and prior_strength <= 1),
  -- The priors transferred, per arm: {"<arm_value>": {"alpha": …, "beta": …}}.
  priors jsonb not null default '{}' check (pg_catalog.jsonb_typeof(priors) = 'object'),
  transferred_at timestamptz not null default now(),
  check (source_venture_id <> target_venture_id)
);
comment on table marketing.intelligence_transfer_map is
  'Cross-venture intelligence (spec §17.5): which venture''s arm performance seeded which venture''s priors, in which cluster (vertical_category + archetype), at what strength.';
create index intelligence_transfer_map_target_idx on marketing.intelligence_transfer_map (target_venture_id, transferred_at);

-- A venture's account on a platform. Credentials are references: each value
-- of credential_refs names an environment variable or secret (EVA_X_TOKEN_LEDGERLOOP),
-- which the publisher reads at call time; a value that is not such a name is refused.
create table marketing.marketing_platform_accounts (
  id uuid primary key default gen_random_uuid(),
  venture_id uuid not null references eva.ventures (id),
  platform text not null
    check (platform in ('bluesky', 'mastodon', 'x', 'youtube', 'threads', 'linkedin', 'tiktok', 'reddit', 'email')),
  handle text not null check (char_length(handle) between 1 and 200 and handle !~ '\s'),
  base_url text check (base_url ~ '^https?://[^\s]+$'),
  credential_refs jsonb not null default '{}' check (
    pg_catalog.jsonb_typeof(credential_refs) = 'object'
    and not pg_catalog.jsonb_path_exists(credential_refs,
      '$.* ? (@.type() != "string" || !(@ like_regex "^[A-Z][A-Z0-9_]{1,127}$"))')),
  -- Reddit is off unless the Chairman enables it for the venture (spec §17.1).
  enabled boolean not null default true,
  metadata jsonb not null default '{}' check (pg_catalog.jsonb_typeof(metadata) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (venture_id, platform)
);
comment on table marketing.marketing_platform_accounts is
  'A venture''s account per platform: handle, API base URL, and credential_refs — {"<credential>": "<ENV_VAR_NAME>"}, names of environment variables or secrets, never the secret (values that are not such names are refused).';
comment on column marketing.marketing_platform_accounts.credential_refs is
  'Credential name → the environment variable or secret that holds it, e.g. {"token": "EVA_MASTODON_TOKEN"}. Only names matching ^[A-Z][A-Z0-9_]{1,127}$ are accepted.';

-- Where a venture's marketing stands in its lifecycle (§17.15): channel arms
-- seeded at Stage 11, pre-launch content from Stage 22, full distribution
-- from Stage 23. Dispatch reads distribution.
create table marketing.marketing_venture_state (
  venture_id uuid primary key references eva.ventures (id),
  distribution text not null default 'none' check (distribution in ('none', 'pre_launch', 'full')),
  channels_seeded_at timestamptz,
  pre_launch_started_at timestamptz,
  full_distribution_at timestamptz,
  updated_at timestamptz not null default now(),
  check (distribution <> 'full' or full_distribution_at is not null),
  check (distribution <> 'pre_launch' or pre_launch_started_at is not null)
);
comment on table marketing.marketing_venture_state is
  'A venture''s marketing lifecycle (spec §17.15): channel arms seeded (Stage 11), pre-launch content started (Stage 22), full distribution active (Stage 23). distribution: none | pre_launch | full — what dispatch may do. Written by EVA''s triggers only.';
comment on column marketing.marketing_venture_state.distribution is
  'none: nothing is published; pre_launch: pre-launch content (Stage 22 reached); full: the full distribution pipeline is active (Stage 23, launch).';

insert into eva_private.settings (key, value, description) values
  ('marketing.max_review_loops', '3',
   'Failed brand reviews a content item may have in one cycle; the next failure blocks it with the reason.')
on conflict (key) do nothing;

-- Down Migration
delete from eva_private.settings where key = 'marketing.max_review_loops';
drop table marketing.marketing_venture_state, marketing.marketing_platform_accounts, marketing.intelligence_transfer_map,
  marketing.bandit_arms, marketing.bandit_state, marketing.marketing_content_reviews,
  marketing.marketing_content_transitions, marketing.marketing_content_variants, marketing.marketing_content;
