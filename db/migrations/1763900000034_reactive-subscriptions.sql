-- Up Migration

-- EVA's reactive parts become event subscriptions (issue #10 point 1): what
-- reacts to a committed change runs as a delivery of the event bus (retried
-- after the subscription's backoff, dead-lettered when its attempts run out,
-- replayed by `eva dlq replay`), no longer inside the transaction that made
-- the change. What stays in that transaction is what must hold the moment it
-- commits (the state invariants): a hard dependency holds the dependent's work
-- as it becomes ready (eva_private.tg_venture_stage_work_dependency_hold, which
-- reads the provider's stage itself, so a dependency not yet marked met never
-- holds wrongly), a declared dependency blocks at once, the stored priority
-- (ventures.priority_base) equals its formula, the inbox row exists with its
-- event. The reactions: releasing held dependents when a provider advances and
-- breaking dependencies when a venture ends (dependency-reevaluation),
-- re-ranking queued stage jobs (stage-run-rerank), the webhook channel of
-- notifications (notification-webhook) and the retirement saga's start
-- (venture-retirement).

-- A subscription can say which of its events matter, so the dispatcher writes
-- deliveries (and queues jobs) only for those: a payload filter and/or a named
-- state predicate (eva_private.fn_event_filter_passes).
alter table eva.event_subscriptions
  add column filter jsonb check (filter is null or pg_catalog.jsonb_typeof(filter) = 'object');
comment on column eva.event_subscriptions.filter is
  'Which matching events get a delivery (null: all): {"payload": {…}} the payload contains it, {"payload_any": [{…}, …]} one of them, {"state": "<predicate>"} a named state predicate (eva_private.fn_event_filter_passes); every key given must hold.';

-- The old signature gives way to one with the filter (db/functions re-creates it).
drop function if exists eva.fn_create_event_subscription(text, text[], text, jsonb, int, interval, text, boolean);

-- The reactions' triggers and jobs, replaced by the subscriptions below.
drop trigger if exists _720_rerank_stage_runs on eva.venture_stage_work;
drop trigger if exists _720_rerank_stage_runs on eva.chairman_decisions;
drop trigger if exists _720_rerank_stage_runs on eva.ventures;
drop function if exists eva_private.tg_rerank_stage_runs();
drop trigger if exists _750_dependency_progress on eva.ventures;
drop function if exists eva_private.tg_ventures_dependency_progress();
drop trigger if exists _830_retirement on eva.ventures;
drop function if exists eva_private.tg_ventures_retirement();
drop function if exists eva_private.fn_enqueue_notification_delivery(uuid, text);
-- Webhook deliveries queued the old way: the notification-webhook subscription
-- takes the channel from here; notifications it never sees stay in the inbox.
-- (graphile-worker's schema comes after the migrations: a new database has none yet.)
do $$
begin
  if pg_catalog.to_regclass('graphile_worker._private_jobs') is not null then
    execute 'delete from graphile_worker._private_jobs j using graphile_worker._private_tasks t
             where t.id = j.task_id and t.identifier = ''notification_deliver'' and j.locked_at is null';
  end if;
end
$$;

insert into eva.event_subscriptions (name, event_types, handler, max_attempts, retry_backoff, filter) values
  -- A provider reaching a stage meets the dependencies that waited for it (their dependents' held work is
  -- released by the dependency's trigger); a venture ending breaks the pending ones on either side.
  ('dependency-reevaluation', array['stage.entered', 'venture.killed', 'venture.sunset', 'venture.exited'],
   'dependency_reevaluation', 10, interval '1 second', '{"state": "dependency_party"}'),
  -- Queued stage_run jobs follow their venture's priority (spec §4: after a stage completion or a decision;
  -- and when revenue, health or the downstream term move it): only when a job is off it.
  ('stage-run-rerank', array['stage.work_completed', 'chairman.approval', 'chairman.rejection', 'chairman.override',
     'venture.priority_changed'],
   'stage_run_rerank', 5, interval '1 second', '{"state": "queue_stale"}'),
  -- The notification outbox's webhook channel (immediate notifications and digests).
  ('notification-webhook', array['chairman.decision_requested', 'system.degradation', 'contract.timeout', 'saga.paused',
     'notification.digest'],
   'notification_webhook', 12, interval '30 seconds', '{"state": "notification_webhook"}'),
  -- Every venture that ends gets its retirement saga (spec §14).
  ('venture-retirement', array['venture.killed', 'venture.sunset', 'venture.exited'],
   'venture_retirement', 10, interval '2 seconds', null);

-- Down Migration
delete from eva.event_deliveries d using eva.event_subscriptions s
where s.id = d.subscription_id
  and s.name in ('dependency-reevaluation', 'stage-run-rerank', 'notification-webhook', 'venture-retirement');
delete from eva.eva_event_dlq d using eva.event_subscriptions s
where s.id = d.subscription_id
  and s.name in ('dependency-reevaluation', 'stage-run-rerank', 'notification-webhook', 'venture-retirement');
delete from eva.event_subscriptions
where name in ('dependency-reevaluation', 'stage-run-rerank', 'notification-webhook', 'venture-retirement');
drop function if exists eva.fn_create_event_subscription(text, text[], text, jsonb, int, interval, text, boolean, jsonb);
alter table eva.event_subscriptions drop column filter;
