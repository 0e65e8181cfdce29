-- Up Migration

-- Publishing (spec §17.1, §17.9, §17.11): the dispatch outbox (one row per
-- variant × platform × account, its idempotency key written before any call,
-- every attempt readable), per-platform and per-account rate limits admitted
-- at scheduling time and counted at publish time, per-venture × platform
-- budgets with a spend ledger per call and the governors that refuse a
-- dispatch with the reason, the per-platform default send times, and the last
-- polled counts of each post (metrics are written as deltas).
create schema if not exists marketing authorization eva_owner;
grant usage on schema marketing to eva_chairman, eva_service, eva_viewer;

create table marketing.marketing_dispatches (
  id uuid primary key default gen_random_uuid(),
  variant_id uuid not null references marketing.marketing_content_variants (id),
  content_id uuid not null references marketing.marketing_content (id),
  venture_id uuid not null references eva.ventures (id),
  platform text not null
    check (platform in ('bluesky', 'mastodon', 'x', 'youtube', 'threads', 'linkedin', 'tiktok', 'reddit')),
  -- The venture's account on the platform ('' : the one configured by environment).
  account_key text not null default '',
  -- Deterministic for (variant, platform, account), written with the row: the same on every attempt.
  idempotency_key text not null unique,
  status text not null default 'scheduled'
    check (status in ('scheduled', 'due', 'sending', 'posted', 'unconfirmed', 'failed', 'refused', 'dry_run')),
  due_at timestamptz not null,
  attempts int not null default 0 check (attempts >= 0),
  max_attempts int not null default 6 check (max_attempts >= 1),
  -- What goes out (frozen when the dispatch is created: the variant's text with its UTM link).
  post_text text not null check (char_length(post_text) between 1 and 40000),
  link text,
  -- live or dry_run: the publisher the last attempt went through.
  mode text check (mode in ('live', 'dry_run')),
  last_error text,
  error_class text
    check (error_class in ('auth_expired', 'user_content', 'platform_rejected', 'rate_limited', 'media_error', 'system')),
  refusal_reason text,
  -- What an attempt saved before its irreversible call (Bluesky's rkey, a Threads container id).
  platform_ref jsonb not null default '{}' check (pg_catalog.jsonb_typeof(platform_ref) = 'object'),
  platform_post_id text,
  platform_post_url text,
  -- Who asked: the schedule check, or the Chairman's `eva marketing publish`.
  origin text not null default 'schedule' check (origin in ('schedule', 'publish_now')),
  sending_since timestamptz,
  posted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (variant_id, platform, account_key),
  check ((status in ('posted', 'dry_run')) = (platform_post_id is not null and posted_at is not null)),
  check ((status = 'refused') = (refusal_reason is not null)),
  check ((status = 'sending') = (sending_since is not null))
);
comment on table marketing.marketing_dispatches is
  'The publishing outbox (spec §17.1): one row per variant × platform × account. status: scheduled → due → sending → posted | unconfirmed | failed | refused | dry_run. The idempotency key exists before any call; the platform''s post id is saved the moment the platform confirms. Changed only through marketing''s dispatch functions.';
comment on column marketing.marketing_dispatches.status is
  'scheduled (waits for due_at) → due (its job is queued) → sending (a call may be in flight) → posted | unconfirmed (the platform may have posted: reconciled by reading it back) | failed (a permanent error) | refused (a governor or the venture''s settings said no; refusal_reason) | dry_run (no credentials: recorded, not posted).';
comment on column marketing.marketing_dispatches.idempotency_key is
  'Deterministic for (variant, platform, account): sent as Mastodon''s Idempotency-Key, the seed of Bluesky''s record key, Late''s metadata.';
create index marketing_dispatches_due_idx on marketing.marketing_dispatches (due_at) where status in ('scheduled', 'due');
create index marketing_dispatches_venture_idx on marketing.marketing_dispatches (venture_id, created_at);
create index marketing_dispatches_content_idx on marketing.marketing_dispatches (content_id);
create index marketing_dispatches_posted_idx on marketing.marketing_dispatches (posted_at) where status = 'posted';

-- Every attempt, readable (what broke schedulers before: no per-post state to read).
create table marketing.marketing_dispatch_attempts (
  id bigint generated always as identity primary key,
  dispatch_id uuid not null references marketing.marketing_dispatches (id),
  venture_id uuid not null references eva.ventures (id),
  attempt int not null check (attempt >= 1),
  -- publish, or reconcile (an earlier attempt's outcome is unknown: read the platform first).
  action text not null check (action in ('publish', 'reconcile')),
  mode text check (mode in ('live', 'dry_run')),
  started_at timestamptz not null default clock_timestamp(),
  finished_at timestamptz,
  outcome text check (outcome in ('posted', 'reconciled', 'dry_run', 'deferred', 'unconfirmed', 'failed', 'refused', 'crashed')),
  error_class text
    check (error_class in ('auth_expired', 'user_content', 'platform_rejected', 'rate_limited', 'media_error', 'system')),
  error text,
  http_status int,
  rate_limit jsonb,
  detail jsonb not null default '{}',
  contract_id uuid,
  worker text,
  unique (dispatch_id, attempt)
);
comment on table marketing.marketing_dispatch_attempts is
  'Each attempt of a dispatch: publish or reconcile, its outcome, the error''s class and raw text, the HTTP status and rate-limit headers, the task contract it ran under. An attempt a dead worker left open is closed as crashed by the next one.';
create index marketing_dispatch_attempts_dispatch_idx on marketing.marketing_dispatch_attempts (dispatch_id, attempt);

-- Rate limits per platform and account: fixed windows counted at publish time
-- (reset on the manifest's schedule and whenever a window has passed), the
-- platform's own headers kept, and the same limits admitted at scheduling time.
create table marketing.marketing_rate_limits (
  platform text not null
    check (platform in ('bluesky', 'mastodon', 'x', 'youtube', 'threads', 'linkedin', 'tiktok', 'reddit')),
  -- '' is the platform's default, copied for each account on first use.
  account_key text not null default '',
  window_name text not null check (window_name ~ '^[a-z0-9_]{1,20}$'),
  window_length interval not null check (window_length >= interval '1 minute'),
  max_calls int not null check (max_calls >= 1),
  used int not null default 0 check (used >= 0),
  window_started_at timestamptz not null default now(),
  -- What the platform's headers last said (remaining 0 until reset_at defers the next call).
  header_remaining int,
  header_reset_at timestamptz,
  source text not null default 'default',
  updated_at timestamptz not null default now(),
  primary key (platform, account_key, window_name)
);
comment on table marketing.marketing_rate_limits is
  'Per-platform (and per-account) write limits: max_calls per window_length, used in the current window (reset by publisher:rate-limit:reset every 15 minutes and whenever the window has passed), and the platform''s headers (header_remaining, header_reset_at). Dispatch is admitted against them when scheduled and counted when sent.';

insert into marketing.marketing_rate_limits (platform, account_key, window_name, window_length, max_calls, source) values
  ('x', '', '15min', '15 minutes', 100, 'X API v2 POST /2/tweets per-user window'),
  ('x', '', '24h', '24 hours', 2400, 'X API v2 per-user 24-hour window'),
  ('bluesky', '', '1h', '1 hour', 1666, 'PDS: 5,000 points/hour, a create is 3'),
  ('bluesky', '', '24h', '24 hours', 11666, 'PDS: 35,000 points/day, a create is 3'),
  ('mastodon', '', '5min', '5 minutes', 300, 'Mastodon: 300 requests per 5 minutes per account (instances vary)'),
  ('threads', '', '24h', '24 hours', 250, 'Threads: 250 posts per 24 hours per profile'),
  ('youtube', '', '24h', '24 hours', 6, 'YouTube Data API: 10,000 units/day, an upload is 1,600'),
  ('linkedin', '', '1min', '1 minute', 60, 'Late: 60 requests/minute on the smallest plan'),
  ('tiktok', '', '1min', '1 minute', 60, 'Late: 60 requests/minute on the smallest plan'),
  ('reddit', '', '1h', '1 hour', 6, 'Reddit: new accounts are held to about one post per 10 minutes');

-- The per-platform default send time (UTC hour and minute) until the optimizer chooses one.
create table marketing.marketing_send_time_defaults (
  platform text primary key
    check (platform in ('bluesky', 'mastodon', 'x', 'youtube', 'threads', 'linkedin', 'tiktok', 'reddit')),
  send_at time not null,
  source text not null default 'default'
);
comment on table marketing.marketing_send_time_defaults is
  'When a platform''s posts go out by default (UTC time of day), until the send-time optimizer picks per venture and platform.';
insert into marketing.marketing_send_time_defaults (platform, send_at) values
  ('x', '14:00'), ('bluesky', '15:00'), ('mastodon', '15:00'), ('threads', '17:00'), ('linkedin', '13:00'),
  ('tiktok', '19:00'), ('youtube', '16:00'), ('reddit', '14:00');

-- Budgets (spec §17.9 columns, cents): a monthly hard cap per venture × platform, a daily stop-loss at
-- daily_stop_loss_multiplier × the rolling daily average, an alert at alert_ratio of the cap.
create table marketing.marketing_channel_budgets (
  id uuid primary key default gen_random_uuid(),
  venture_id uuid not null references eva.ventures (id),
  platform text not null
    check (platform in ('bluesky', 'mastodon', 'x', 'youtube', 'threads', 'linkedin', 'tiktok', 'reddit')),
  monthly_budget_cents bigint not null check (monthly_budget_cents >= 0),
  daily_stop_loss_multiplier numeric not null default 2.0 check (daily_stop_loss_multiplier > 0),
  current_month_spend_cents bigint not null default 0 check (current_month_spend_cents >= 0),
  status text not null default 'active' check (status in ('active', 'paused')),
  -- The month current_month_spend_cents counts (a new month starts it at 0).
  spend_month date not null default date_trunc('month', now())::date,
  alert_ratio numeric not null default 0.8 check (alert_ratio > 0 and alert_ratio <= 1),
  -- The month whose alert was sent (one alert per month).
  alerted_month date,
  source text not null default 'chairman' check (source in ('chairman', 'default')),
  updated_at timestamptz not null default now(),
  unique (venture_id, platform)
);
comment on table marketing.marketing_channel_budgets is
  'Budget governors (spec §17.1): per venture × platform a monthly hard cap (monthly_budget_cents), a daily stop-loss at daily_stop_loss_multiplier × the rolling 7-day average of daily spend, an alert at alert_ratio of the cap. X''s budget defaults to $50 a month (source default). Set with marketing.fn_set_channel_budget.';

-- What one post costs per platform (cents). Pay-per-use prices are assumptions until an invoice says otherwise.
create table marketing.marketing_platform_costs (
  platform text primary key
    check (platform in ('bluesky', 'mastodon', 'x', 'youtube', 'threads', 'linkedin', 'tiktok', 'reddit')),
  post_cents numeric not null default 0 check (post_cents >= 0),
  post_with_link_cents numeric not null default 0 check (post_with_link_cents >= 0),
  basis text not null default 'assumption' check (basis in ('assumption', 'fact')),
  source text not null default 'default',
  updated_at timestamptz not null default now()
);
comment on table marketing.marketing_platform_costs is
  'What one post costs on a platform, in cents, with and without a link; basis: assumption (a published price list) or fact (an invoice). Set with marketing.fn_set_platform_cost.';
insert into marketing.marketing_platform_costs (platform, post_cents, post_with_link_cents, source) values
  ('x', 1.5, 20, 'X API pay-per-use: a post with a URL costs about 13× one without'),
  ('bluesky', 0, 0, 'free API'), ('mastodon', 0, 0, 'free API'), ('threads', 0, 0, 'free API'),
  ('youtube', 0, 0, 'free API (quota only)'), ('reddit', 0, 0, 'free API'),
  ('linkedin', 0, 0, 'Late: a flat monthly plan'), ('tiktok', 0, 0, 'Late: a flat monthly plan');

create table marketing.marketing_spend_ledger (
  id bigint generated always as identity primary key,
  venture_id uuid not null references eva.ventures (id),
  platform text not null,
  dispatch_id uuid references marketing.marketing_dispatches (id),
  attempt int,
  amount_cents numeric not null check (amount_cents >= 0),
  basis text not null check (basis in ('assumption', 'fact')),
  reason text not null,
  occurred_at timestamptz not null default now(),
  unique (dispatch_id, attempt)
);
comment on table marketing.marketing_spend_ledger is
  'Spend per platform call (spec §17.1): one row per call that reached the platform (posted, or unconfirmed: it may have been charged), its amount in cents and whether that is an assumption (price list) or fact. Append-only.';
create index marketing_spend_ledger_venture_idx on marketing.marketing_spend_ledger (venture_id, platform, occurred_at);

-- The last counts polled for each post: metrics:collect:all writes the difference as events.
create table marketing.marketing_post_metrics (
  dispatch_id uuid not null references marketing.marketing_dispatches (id),
  metric text not null check (metric in ('impressions', 'likes', 'reposts', 'replies', 'quotes', 'clicks', 'views')),
  value bigint not null check (value >= 0),
  polled_at timestamptz not null,
  primary key (dispatch_id, metric)
);
comment on table marketing.marketing_post_metrics is
  'The last count read from the platform per post and metric (fact, source the platform''s API); a poll writes only the increase, as marketing events.';

-- Reddit is off unless the Chairman enables it for a venture (spec §17.1).
create table marketing.marketing_reddit_enabled (
  venture_id uuid primary key references eva.ventures (id),
  enabled_at timestamptz not null default now(),
  enabled_by text not null
);
comment on table marketing.marketing_reddit_enabled is
  'Ventures the Chairman allowed to post to Reddit (marketing.fn_set_reddit_enabled); every other venture''s Reddit dispatches are refused.';

insert into eva_private.settings (key, value, description) values
  ('marketing.x_default_budget_cents', '5000', 'X''s monthly budget per venture when the Chairman set none: $50.'),
  ('marketing.stop_loss_days', '7', 'Days of spend the daily stop-loss averages (the day itself excluded).'),
  ('marketing.dispatch_horizon_days', '7', 'How far ahead scheduling may push a dispatch to fit the rate limits before refusing it.'),
  ('marketing.metrics_days', '7', 'How many days after posting metrics:collect:all keeps polling a post.'),
  ('marketing.sending_stale_seconds', '120',
   'How long an attempt may be "sending" before the next one presumes its worker dead and reconciles.'),
  ('marketing.reconcile_after_seconds', '60', 'How long after an unconfirmed call the platform is read back.')
on conflict (key) do nothing;

-- Down Migration
delete from eva_private.settings where key in ('marketing.x_default_budget_cents', 'marketing.stop_loss_days',
  'marketing.dispatch_horizon_days', 'marketing.metrics_days', 'marketing.sending_stale_seconds',
  'marketing.reconcile_after_seconds');
drop table marketing.marketing_reddit_enabled, marketing.marketing_post_metrics, marketing.marketing_spend_ledger,
  marketing.marketing_platform_costs, marketing.marketing_channel_budgets, marketing.marketing_send_time_defaults,
  marketing.marketing_rate_limits, marketing.marketing_dispatch_attempts, marketing.marketing_dispatches;
