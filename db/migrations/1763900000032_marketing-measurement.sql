-- Up Migration

-- Marketing measurement (spec §17.4, 17.6, 17.8, 17.9): the raw event stream,
-- its daily rollups, inbound webhook receipts and the email drip tables.
-- The schema line and its grants are the same in every marketing migration
-- (idempotent), so they can land in any order.
create schema if not exists marketing authorization eva_owner;
comment on schema marketing is
  'EVA''s marketing engine: content, dispatches, events, rollups, email (spec §17). Read through GraphQL under RLS; written through its functions.';
grant usage on schema marketing to eva_chairman, eva_service, eva_viewer;

-- The raw event stream: append-only, partitioned by month on occurred_at (the
-- partition manager of eva_private.partition_policies creates months ahead
-- and archives, then drops, months past retention). Written only by
-- marketing.fn_ingest_events, which dedupes on (source, external_id,
-- occurred_at): a re-delivered event carries its first delivery's id and time.
create table marketing.marketing_events (
  id bigint generated always as identity,
  venture_id uuid not null references eva.ventures (id),
  source text not null check (source ~ '^[a-z][a-z0-9_]{0,39}$'),
  platform text check (platform is null or platform ~ '^[a-z][a-z0-9_]{0,39}$'),
  event_type text not null check (event_type in ('impression', 'engagement', 'click', 'conversion', 'unsubscribe',
    'bounce', 'complaint', 'open', 'delivered')),
  quantity bigint not null default 1,
  occurred_at timestamptz not null,
  content_id uuid,
  variant_id uuid,
  external_id text not null check (char_length(external_id) between 1 and 500),
  properties jsonb not null default '{}' check (pg_catalog.jsonb_typeof(properties) = 'object'),
  revenue_cents bigint not null default 0,
  bot boolean not null default false,
  received_at timestamptz not null default now(),
  primary key (id, occurred_at)
) partition by range (occurred_at);
comment on table marketing.marketing_events is
  'Raw marketing events (impressions, clicks, conversions, email events...), append-only, partitioned by month on occurred_at (partitions in eva_partitions; retention in eva_private.partition_policies). Written only by marketing.fn_ingest_events; counted into marketing.marketing_daily_rollups.';
comment on column marketing.marketing_events.source is 'Who reported the event: a platform polled (bluesky, mastodon...), a webhook source (resend, posthog), or eva itself.';
comment on column marketing.marketing_events.quantity is 'How many the row stands for: 1 for a single event, a delta for a polled counter (may be negative when a platform''s count drops).';
comment on column marketing.marketing_events.external_id is 'The source''s own id of the event; (source, external_id, occurred_at) is stored once.';
comment on column marketing.marketing_events.revenue_cents is 'Revenue of a conversion, in cents (from the event''s revenue_cents or properties.revenue_cents); 0 otherwise.';
comment on column marketing.marketing_events.bot is 'Set at ingest when the user agent is a link-preview fetcher, a crawler or a mail scanner (marketing.fn_is_bot): kept, never counted.';
create unique index marketing_events_dedupe_key on marketing.marketing_events (source, external_id, occurred_at);
create index marketing_events_venture_time_idx on marketing.marketing_events (venture_id, occurred_at);
-- A variant's content, looked up at ingest for events that name only the variant (conversions, email clicks).
create index marketing_events_variant_content_idx on marketing.marketing_events (variant_id) include (content_id)
  where variant_id is not null and content_id is not null;
-- Last-touch attribution looks up a visitor's latest click.
create index marketing_events_visitor_click_idx on marketing.marketing_events
  (venture_id, (properties ->> 'distinct_id'), occurred_at) where event_type = 'click';

do $$
declare
  v_month date := (pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', pg_catalog.now())) - interval '2 months')::date;
begin
  while v_month <= (pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', pg_catalog.now())) + interval '3 months')::date loop
    execute pg_catalog.format('create table eva_partitions.%I partition of marketing.marketing_events for values from (%L) to (%L)',
      'marketing_events_p' || pg_catalog.to_char(v_month, 'YYYYMM'), pg_catalog.timezone('UTC', v_month::timestamp),
      pg_catalog.timezone('UTC', (v_month + interval '1 month')::timestamp));
    execute pg_catalog.format('alter table eva_partitions.%I enable row level security', 'marketing_events_p' || pg_catalog.to_char(v_month, 'YYYYMM'));
    v_month := (v_month + interval '1 month')::date;
  end loop;
end
$$;
create table eva_partitions.marketing_events_default partition of marketing.marketing_events default;
alter table eva_partitions.marketing_events_default enable row level security;

-- Append-only: the refusing triggers are in db/functions/eva_private.tg_refuse_change.sql, beside eva's.

insert into eva_private.partition_policies (table_name, partition_column, months_ahead, keep_months, archive_before_drop, note)
values ('marketing.marketing_events', 'occurred_at', 3, 24, true,
  'Two years of raw marketing events live, then archived (gzip JSON lines with SHA-256) and dropped; the daily rollups and the venture metrics fed from them stay.')
on conflict (table_name) do nothing;

-- Daily rollups (17.9). A primary key cannot hold the NULL content/variant of
-- an unattributed event, so the key is a unique constraint with NULLS NOT
-- DISTINCT (one row per day, venture, platform, content, variant) and the
-- row has a surrogate id.
create table marketing.marketing_daily_rollups (
  id bigint generated always as identity primary key,
  rollup_date date not null,
  venture_id uuid not null references eva.ventures (id),
  platform text not null,
  content_id uuid,
  variant_id uuid,
  impressions bigint not null default 0,
  engagements bigint not null default 0,
  clicks bigint not null default 0,
  conversions bigint not null default 0,
  revenue_cents bigint not null default 0,
  opens bigint not null default 0,
  deliveries bigint not null default 0,
  unsubscribes bigint not null default 0,
  bounces bigint not null default 0,
  complaints bigint not null default 0,
  bot_events bigint not null default 0,
  engagement_rate numeric generated always as (
    case when impressions > 0 then engagements::numeric / impressions else 0 end) stored,
  ctr numeric generated always as (
    case when impressions > 0 then clicks::numeric / impressions else 0 end) stored,
  conversion_rate numeric generated always as (
    case when clicks > 0 then conversions::numeric / clicks else 0 end) stored,
  updated_at timestamptz not null default now(),
  constraint marketing_daily_rollups_key unique nulls not distinct (rollup_date, venture_id, platform, content_id, variant_id)
);
comment on table marketing.marketing_daily_rollups is
  'Marketing events per UTC day, venture, platform, content and variant (bots left out, counted in bot_events), with the generated rates. Materialized incrementally by marketing.fn_materialize_rollups (rollup:materialize) from marketing.marketing_rollup_deltas; a day rebuilt from the events (marketing.fn_rebuild_rollups) gives the same rows.';
comment on column marketing.marketing_daily_rollups.platform is 'The event''s platform; "unknown" when the event named none and its attribution found none.';
create index marketing_daily_rollups_venture_idx on marketing.marketing_daily_rollups (venture_id, rollup_date);

-- The rollups' work queue: each ingest adds its batch's counts per rollup key;
-- rollup:materialize adds them into the rollups and deletes them, in one
-- transaction, so its work is proportional to the new events only.
create table marketing.marketing_rollup_deltas (
  id bigint generated always as identity primary key,
  rollup_date date not null,
  venture_id uuid not null,
  platform text not null,
  content_id uuid,
  variant_id uuid,
  impressions bigint not null default 0,
  engagements bigint not null default 0,
  clicks bigint not null default 0,
  conversions bigint not null default 0,
  revenue_cents bigint not null default 0,
  opens bigint not null default 0,
  deliveries bigint not null default 0,
  unsubscribes bigint not null default 0,
  bounces bigint not null default 0,
  complaints bigint not null default 0,
  bot_events bigint not null default 0,
  created_at timestamptz not null default now()
);
comment on table marketing.marketing_rollup_deltas is
  'Counts of ingested events not yet in marketing.marketing_daily_rollups, one row per ingest batch and rollup key; consumed by marketing.fn_materialize_rollups.';

-- Inbound webhook deliveries (POST /webhooks/<source>): one row per delivery
-- id, so a re-delivery is recognised and stored once.
create table marketing.marketing_webhook_receipts (
  source text not null check (source ~ '^[a-z][a-z0-9_]{0,39}$'),
  delivery_id text not null check (char_length(delivery_id) between 1 and 500),
  received_at timestamptz not null default now(),
  events_ingested int not null default 0 check (events_ingested >= 0),
  primary key (source, delivery_id)
);
comment on table marketing.marketing_webhook_receipts is
  'Signed webhook deliveries accepted (source and its delivery id: svix-id, webhook-id), with how many events they stored; a re-delivery finds its row and stores nothing. Receipts older than 30 days are pruned by rollup:materialize (sources retry for about a day).';

-- Email (17.4): sender domains per venture, campaigns with their steps,
-- subscribers, per-subscriber state, suppressions and the send outbox.
create table marketing.marketing_email_domains (
  venture_id uuid not null references eva.ventures (id),
  domain text not null check (domain ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$'),
  created_at timestamptz not null default now(),
  primary key (venture_id, domain)
);
comment on table marketing.marketing_email_domains is
  'The sender domains a venture may send from (verified at Resend); a campaign''s from address must be on one of them.';

create table marketing.marketing_email_campaigns (
  id uuid primary key default gen_random_uuid(),
  venture_id uuid not null references eva.ventures (id),
  name text not null check (char_length(name) between 1 and 200),
  campaign_type text not null check (campaign_type in ('welcome', 'onboarding', 'nurture', 'reactivation')),
  from_address text not null check (from_address ~ '^[^@\s<>]+@[a-z0-9.-]+$'),
  from_name text check (from_name is null or char_length(from_name) between 1 and 200),
  status text not null default 'active' check (status in ('active', 'paused', 'archived')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (venture_id, name)
);
comment on table marketing.marketing_email_campaigns is
  'Drip campaigns (17.4): a venture''s sequence of steps sent from one of its sender domains; paused or archived campaigns send nothing.';

create table marketing.marketing_email_steps (
  campaign_id uuid not null references marketing.marketing_email_campaigns (id) on delete cascade,
  step_number int not null check (step_number >= 1),
  delay_hours numeric not null default 0 check (delay_hours >= 0),
  subject text not null check (char_length(subject) between 1 and 500),
  body_text text not null check (char_length(body_text) >= 1),
  body_html text,
  condition text not null default 'always' check (condition in ('always', 'opened_previous', 'not_opened_previous',
    'clicked_previous', 'not_clicked_previous')),
  primary key (campaign_id, step_number)
);
comment on table marketing.marketing_email_steps is
  'A campaign''s steps in order: sent delay_hours after the previous one (after subscribing for the first), when its condition on the previous step''s email holds; a step whose condition fails is skipped.';

create table marketing.marketing_email_subscribers (
  id uuid primary key default gen_random_uuid(),
  venture_id uuid not null references eva.ventures (id),
  email text not null check (email = pg_catalog.lower(email) and email ~ '^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$'),
  name text,
  created_at timestamptz not null default now(),
  unique (venture_id, email)
);
comment on table marketing.marketing_email_subscribers is 'People on a venture''s email lists (address stored lowercase).';

create table marketing.marketing_email_state (
  id uuid primary key default gen_random_uuid(),
  campaign_id uuid not null references marketing.marketing_email_campaigns (id) on delete cascade,
  subscriber_id uuid not null references marketing.marketing_email_subscribers (id),
  current_step int not null default 0 check (current_step >= 0),
  next_send_at timestamptz,
  status text not null default 'active' check (status in ('active', 'completed', 'suppressed', 'unsubscribed')),
  last_sent_at timestamptz,
  updated_at timestamptz not null default now(),
  unique (campaign_id, subscriber_id),
  check ((status = 'active') = (next_send_at is not null))
);
comment on table marketing.marketing_email_state is
  'One subscriber''s place in one campaign: the step last sent (current_step), when the next is due, and whether the sequence is active, completed or stopped by a suppression. Advanced only by marketing.fn_email_advance.';
create index marketing_email_state_due_idx on marketing.marketing_email_state (next_send_at) where status = 'active';

create table marketing.marketing_email_suppressions (
  venture_id uuid not null references eva.ventures (id),
  email text not null check (email = pg_catalog.lower(email)),
  reason text not null check (reason in ('unsubscribe', 'bounce', 'complaint', 'manual')),
  source_event text,
  created_at timestamptz not null default now(),
  primary key (venture_id, email)
);
comment on table marketing.marketing_email_suppressions is
  'Addresses a venture never emails again, for every campaign: unsubscribed, bounced, complained (from Resend''s webhooks and the unsubscribe link) or added by hand.';

create table marketing.marketing_email_sends (
  id uuid primary key default gen_random_uuid(),
  state_id uuid not null references marketing.marketing_email_state (id) on delete cascade,
  step_number int not null,
  idempotency_key text not null unique,
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
  attempts int not null default 0,
  provider_id text,
  error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  unique (state_id, step_number)
);
comment on table marketing.marketing_email_sends is
  'The email outbox: one row per (subscriber state, step), its Idempotency-Key written before the call to Resend, so a send retried after a crash is the same send.';

-- Down Migration
drop table marketing.marketing_email_sends, marketing.marketing_email_suppressions, marketing.marketing_email_state,
  marketing.marketing_email_subscribers, marketing.marketing_email_steps, marketing.marketing_email_campaigns,
  marketing.marketing_email_domains, marketing.marketing_webhook_receipts, marketing.marketing_rollup_deltas,
  marketing.marketing_daily_rollups, marketing.marketing_events;
delete from eva_private.partition_policies where table_name = 'marketing.marketing_events';
