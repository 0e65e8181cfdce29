-- Up Migration

-- Notifications (spec §11, Decision #30). The outbox: one row per notification,
-- written in the transaction of the event that caused it (a trigger on the event
-- log), so none is lost and none is sent for work that rolled back. Channels
-- deliver from it: the inbox is the row itself (read/unread), the webhook is a
-- graphile-worker job per notification × channel. Daily and weekly notifications
-- wait for their digest, itself a notification that lists them by venture.
create table eva.notifications (
  id uuid primary key default gen_random_uuid(),
  event_id bigint unique references eva.eva_event_log (id),
  notification_type text not null check (notification_type ~ '^[a-z_]+(\.[a-z_]+)+$'),
  urgency eva.decision_urgency not null,
  channels text[] not null check (channels <@ array['inbox', 'webhook']::text[] and cardinality(channels) >= 1),
  venture_id uuid references eva.ventures (id),
  decision_id uuid references eva.chairman_decisions (id),
  summary text not null check (char_length(summary) between 1 and 300 and summary !~ '[\r\n]'),
  action_path text not null check (action_path ~ '^/'),
  payload jsonb not null default '{}',
  digest_id uuid references eva.notifications (id),
  read_at timestamptz,
  created_at timestamptz not null default now()
);
comment on table eva.notifications is
  'The notification outbox (spec §11, Decision #30): one row per notification with its urgency and channels; the Chairman''s inbox. Written only by EVA''s triggers and digest function; read/unread through eva.fn_notification_read.';
comment on column eva.notifications.action_path is 'Where to act on it, relative to EVA_PUBLIC_URL (the webhook body''s url).';
comment on column eva.notifications.digest_id is 'The digest notification that carried this daily or weekly notification (null until its digest ran).';
create index notifications_unread_idx on eva.notifications (created_at desc) where read_at is null;
create index notifications_undigested_idx on eva.notifications (urgency, created_at) where digest_id is null and urgency <> 'immediate';
create index notifications_venture_idx on eva.notifications (venture_id, created_at);

-- Every delivery attempt of a notification on a channel, successful or not:
-- delivery is at-least-once (graphile-worker retries with backoff), and the
-- attempts say what each try met.
create table eva.notification_attempts (
  id bigint generated always as identity primary key,
  notification_id uuid not null references eva.notifications (id),
  channel text not null check (channel in ('webhook')),
  attempt int not null check (attempt >= 1),
  outcome text not null check (outcome in ('delivered', 'failed', 'skipped')),
  http_status int,
  error text,
  attempted_at timestamptz not null default now(),
  unique (notification_id, channel, attempt)
);
comment on table eva.notification_attempts is
  'Delivery attempts per notification and channel (delivered, failed with the receiver''s status or error, skipped when the channel is not configured). Append-only.';
create unique index notification_attempts_delivered_once on eva.notification_attempts (notification_id, channel)
  where outcome = 'delivered';

-- Post-launch operations (spec §14): what the anomaly rule found and what the
-- DFE made of it, one row per anomalous observation.
create table eva.metric_anomalies (
  id uuid primary key default gen_random_uuid(),
  venture_id uuid not null references eva.ventures (id),
  metric_id bigint not null unique references eva.venture_metrics (id),
  metric_name text not null,
  value numeric not null,
  median numeric not null,
  mad numeric not null,
  robust_z numeric,
  history int not null check (history >= 1),
  event_id bigint references eva.eva_event_log (id),
  resolution text check (resolution in ('auto_proceed', 'escalate')),
  dfe jsonb,
  decision_id uuid references eva.chairman_decisions (id),
  created_at timestamptz not null default now(),
  resolved_at timestamptz,
  check ((resolution is null) = (resolved_at is null))
);
comment on table eva.metric_anomalies is
  'Venture metrics outside the trailing median ± k·MAD of their series (eva_private.fn_metric_anomaly_check), and the DFE''s resolution (auto_proceed or escalate, with its recorded evaluation).';

-- Post-launch SD work (enhancements from a declining KPI, reported bugs) is
-- one saga per item, raised in the context of the venture's latest stage work:
-- "once per run and position" holds for Stage 18 sprints, and once per saga and
-- position for post-launch items.
drop index eva.sd_work_items_once_per_run;
create unique index sd_work_items_once_per_run on eva.sd_work_items (venture_id, stage_work_id, position)
  where (details ->> 'origin') is distinct from 'post_launch';
create unique index sd_work_items_post_launch_once on eva.sd_work_items (saga_id, position)
  where (details ->> 'origin') = 'post_launch';
comment on column eva.sd_work_items.stage_work_id is
  'The Stage 18 run whose sprint_plan artifact the items were made from; for post-launch items (details.origin post_launch), the venture''s latest stage work when the item was raised.';

-- Down Migration
drop index eva.sd_work_items_post_launch_once;
drop index eva.sd_work_items_once_per_run;
create unique index sd_work_items_once_per_run on eva.sd_work_items (venture_id, stage_work_id, position);
comment on column eva.sd_work_items.stage_work_id is 'The Stage 18 run whose sprint_plan artifact the items were made from.';
drop table eva.metric_anomalies;
drop table eva.notification_attempts;
drop table eva.notifications;
