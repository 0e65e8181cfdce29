-- Up Migration

-- Event subscriptions (spec §3, the event bus; issue #10 points 1-2). A
-- subscription names the event types it wants (patterns such as `stage.*`),
-- the handler that reacts (a TypeScript registry: src/orchestration/event-handlers.ts)
-- and how hard to try. One dispatcher job (event_dispatch) reads the event log
-- in commit order from its cursor (eva.fn_events_after's gap-free rule), writes
-- one delivery row per (subscription, event) and queues one event_deliver job
-- per delivery; a delivery that runs out of attempts becomes a dead letter in
-- eva.eva_event_dlq, which `eva dlq replay` re-delivers.
create table eva.event_subscriptions (
  id bigint generated always as identity primary key,
  name text not null unique check (name ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'),
  event_types text[] not null check (
    pg_catalog.cardinality(event_types) between 1 and 50
    and pg_catalog.array_position(event_types, null) is null),
  handler text not null check (handler ~ '^[a-z][a-z0-9_]{0,62}$'),
  config jsonb not null default '{}' check (pg_catalog.jsonb_typeof(config) = 'object' and not config ? 'secret'),
  max_attempts int not null default 5 check (max_attempts between 1 and 25),
  retry_backoff interval not null default '2 seconds' check (retry_backoff between '0 seconds' and '1 hour'),
  enabled boolean not null default true,
  -- Ordered: deliveries run one at a time in dispatch order (a graphile-worker queue per subscription).
  ordered boolean not null default false,
  -- The feed cursor (xact_id.id) the subscription starts after: it receives events listed after it.
  after_xact_id bigint not null default pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot())::text::bigint,
  after_event_id bigint not null default 0,
  starts_after text not null generated always as (after_xact_id::text || '.' || after_event_id::text) stored,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table eva.event_subscriptions is
  'Event subscriptions: event type patterns (`*` matches any run of characters: stage.*, venture.killed) → a handler of src/orchestration/event-handlers.ts, with its attempts and backoff; receives events logged after starts_after. Written through eva.fn_create_event_subscription / eva.fn_set_event_subscription_enabled.';
comment on column eva.event_subscriptions.config is
  'Handler settings (webhook: {"url": …, "secretEnv": "NAME_OF_ENV_VAR"}); never a secret in clear.';
comment on column eva.event_subscriptions.retry_backoff is
  'Delay before the 2nd attempt; each later one doubles it (capped at 1 hour).';

comment on column eva.event_subscriptions.ordered is
  'Deliver one at a time, in commit order (a retried delivery waits for its backoff while later ones go on); false: in parallel.';

-- EVA's own reactive part: what the portfolio learns from gate outcomes and kills.
insert into eva.event_subscriptions (name, event_types, handler, max_attempts)
values ('knowledge-extraction', array['gate.evaluated', 'venture.killed'], 'knowledge_extraction', 5);

-- The dispatcher's cursor (one row): the last event it has matched, in feed order.
create table eva_private.event_dispatch_cursor (
  id boolean primary key default true check (id),
  xact_id bigint not null,
  event_id bigint not null,
  dispatched bigint not null default 0,
  updated_at timestamptz not null default now()
);
comment on table eva_private.event_dispatch_cursor is
  'Where eva_private.fn_event_dispatch has read the event log up to (feed cursor xact_id.event_id).';
insert into eva_private.event_dispatch_cursor (xact_id, event_id)
values (pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot())::text::bigint, 0);

-- One row per (subscription, event): the delivery's state. Partitioned by the
-- event's time (the partition key must be in every unique key, and the event's
-- time is fixed by the event, so (subscription, event) stays unique). Old
-- partitions are detached and archived by the retention manager; no foreign
-- key points into this table or from it into the event log, so neither blocks that.
create table eva.event_deliveries (
  id bigint generated always as identity,
  subscription_id bigint not null references eva.event_subscriptions (id),
  event_id bigint not null,
  event_logged_at timestamptz not null,
  event_type text not null,
  venture_id uuid,
  status text not null default 'pending' check (status in ('pending', 'retrying', 'delivered', 'dead_lettered')),
  attempts int not null default 0 check (attempts >= 0),
  last_error text,
  result jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  delivered_at timestamptz,
  primary key (id, event_logged_at),
  unique (subscription_id, event_id, event_logged_at)
) partition by range (event_logged_at);
comment on table eva.event_deliveries is
  'One delivery per (subscription, event): pending → retrying → delivered or dead_lettered, attempts and last error. Partitioned by month on event_logged_at (<table>_pYYYYMM, plus a DEFAULT partition). Written only by EVA''s dispatch and delivery functions.';
create index event_deliveries_open_idx on eva.event_deliveries (status, updated_at) where status in ('pending', 'retrying');

create table eva.event_deliveries_default partition of eva.event_deliveries default;
do $$
declare
  m date;
begin
  -- Months in UTC, as the partition manager (eva_private.fn_create_partition) cuts them.
  foreach m in array array[pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', pg_catalog.now()))::date,
                           (pg_catalog.date_trunc('month', pg_catalog.timezone('UTC', pg_catalog.now())) + interval '1 month')::date] loop
    execute pg_catalog.format('create table eva.%I partition of eva.event_deliveries for values from (%L) to (%L)',
      'event_deliveries_p' || pg_catalog.to_char(m, 'YYYYMM'), pg_catalog.timezone('UTC', m::timestamp),
      pg_catalog.timezone('UTC', (m + interval '1 month')::timestamp));
  end loop;
end
$$;

-- The dead letter queue learns which subscription and delivery a dead letter
-- came from, and what became of its replays and its dismissal.
alter table eva.eva_event_dlq
  add column subscription_id bigint references eva.event_subscriptions (id),
  add column handler text,
  add column delivery_id bigint,
  add column event_logged_at timestamptz,
  add column venture_id uuid,
  add column replays int not null default 0 check (replays >= 0),
  add column replay_status text check (replay_status in ('queued', 'delivered', 'failed')),
  add column replayed_at timestamptz,
  add column replayed_by text,
  add column discarded_at timestamptz,
  add column discarded_by text;
comment on column eva.eva_event_dlq.retry_count is 'Attempts made (the subscription''s, then one per replay).';
comment on column eva.eva_event_dlq.failure_reason is 'The last attempt''s error.';
comment on column eva.eva_event_dlq.replay_status is 'The last replay: queued (its job waits or runs), delivered (status replayed) or failed (status stays pending).';
create unique index eva_event_dlq_delivery_once on eva.eva_event_dlq (delivery_id) where delivery_id is not null;
create index eva_event_dlq_pending_idx on eva.eva_event_dlq (created_at) where status = 'pending';

-- Down Migration
drop index eva.eva_event_dlq_pending_idx;
drop index eva.eva_event_dlq_delivery_once;
alter table eva.eva_event_dlq
  drop column subscription_id, drop column handler, drop column delivery_id, drop column event_logged_at,
  drop column venture_id, drop column replays, drop column replay_status, drop column replayed_at,
  drop column replayed_by, drop column discarded_at, drop column discarded_by;
drop table eva.event_deliveries;
drop table eva_private.event_dispatch_cursor;
drop table eva.event_subscriptions;
