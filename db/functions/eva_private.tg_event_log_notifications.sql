-- The notification outbox is filled from the event log by this trigger, in the
-- transaction that logged the event: a notification exists exactly when its
-- event committed (no cursor to keep, no polling delay for immediate ones, and
-- a rolled-back stage run notifies nobody). It classifies the event by
-- Decision #30 (spec §11):
--   chairman.decision_requested → the decision's own urgency (immediate for
--     blocking gates and DFE escalations);
--   a failed reality gate (a gate at a stage closing a phase that does not pass), an automatic kill (not the Chairman's), an advisory
--     checkpoint completed (Stages 3, 5, 16, 23), an anomaly the DFE let
--     through → daily digest;
--   any other stage completion → weekly summary (a run that killed the venture
--     is told by its kill, not as a completion);
--   a circuit breaker opening (system.degradation, not a re-opening after a
--     failed half-open trial) and a stage escalated after its contract's last
--     timeout (contract.timeout, next escalated) → immediate;
--   a saga paused (saga.paused: a failed teardown, retries spent; not a pause
--     for an open circuit, told when it opened) → immediate: it waits for
--     `eva sagas resume`;
--   marketing content blocked (marketing.content_blocked: its brand review
--     failed too often) → daily digest.
-- Immediate notifications go to the inbox and the webhook at once; the others
-- to the inbox, and to the webhook inside their digest.
-- The inbox row is written here, the webhook is a reaction: the
-- notification-webhook subscription (handler notification_webhook) delivers
-- the webhook channel of this event's notification after it commits, retried
-- after its backoff and dead-lettered like any delivery (`eva dlq`). The row
-- stays in the event's transaction because it is the record the Chairman reads
-- and the digests gather, one insert and no job: written by a subscription it
-- would cost a delivery and a job for every stage completion (the weekly ones).
-- Generic plans (plan_cache_mode): its tests name the event type, which a
-- custom plan folds away, so PostgreSQL re-planned them for each event logged.
create or replace function eva_private.tg_event_log_notifications()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
set plan_cache_mode = force_generic_plan
as $$
declare
  v_p jsonb := new.payload;
  v_stage int := case when pg_catalog.jsonb_typeof(new.payload -> 'stage') = 'number' then (new.payload ->> 'stage')::int end;
  v_venture text;
  v_type text;
  v_urgency eva.decision_urgency;
  v_summary text;
  v_path text;
  v_decision uuid;
  v_id uuid;
begin
  select v.name into v_venture from eva.ventures v where v.id = new.venture_id;
  v_venture := coalesce(v_venture, 'Stage 0');
  v_path := case when new.venture_id is null then '/events/' || new.id else '/ventures/' || new.venture_id end;

  if new.event_type = 'chairman.decision_requested' then
    v_decision := (v_p ->> 'decision_id')::uuid;
    v_type := 'decision.requested';
    v_urgency := coalesce((v_p ->> 'urgency')::eva.decision_urgency, 'immediate');
    v_summary := pg_catalog.format('%s: %s at stage %s waits for your decision%s', v_venture,
      pg_catalog.replace(v_p ->> 'decision_type', '_', ' '), v_stage,
      coalesce(' (recommended: ' || (v_p ->> 'recommended_action') || ')', ''));
    v_path := '/decisions/' || v_decision;
  elsif new.event_type = 'gate.evaluated' and exists (
      select 1 from eva.lifecycle_stage_config c
      join eva.gate_decision_options o on o.gate_type = c.gate_type and o.decision = v_p ->> 'decision'
      where c.stage_number = v_stage and c.reality_gate and not o.passes) then
    v_type := 'reality_gate.failed';
    v_urgency := 'daily';
    v_summary := pg_catalog.format('%s: the reality gate at stage %s failed (%s)', v_venture, v_stage, v_p ->> 'decision');
  elsif new.event_type = 'venture.killed' and not exists (
      select 1 from pg_catalog.pg_roles r
      where r.rolname = new.actor and pg_catalog.pg_has_role(r.oid, 'eva_chairman', 'USAGE')) then
    v_type := 'venture.auto_killed';
    v_urgency := 'daily';
    -- The reason, as the venture's history keeps it, says "killed at stage N: " itself: said once here.
    v_summary := pg_catalog.format('%s was killed at stage %s%s', v_venture, v_stage,
      coalesce(': ' || pg_catalog.left(pg_catalog.regexp_replace(
        pg_catalog.regexp_replace(v_p ->> 'reason', '^killed at stage \d+: ', ''), '\s+', ' ', 'g'), 200), ''));
  elsif new.event_type = 'metric.auto_proceeded' then
    v_type := 'metric.auto_proceeded';
    v_urgency := 'daily';
    v_summary := pg_catalog.format('%s: %s was anomalous (%s); the DFE proceeded', v_venture,
      v_p ->> 'metric', v_p ->> 'value');
  elsif new.event_type = 'stage.work_completed' and v_stage is not null and v_p ->> 'route' is distinct from 'kill' then
    if v_stage in (3, 5, 16, 23) then
      v_type := 'checkpoint.advisory';
      v_urgency := 'daily';
      v_summary := pg_catalog.format('%s: advisory checkpoint stage %s completed (gate: %s)', v_venture, v_stage,
        coalesce(v_p ->> 'gate_decision', 'none'));
    else
      v_type := 'stage.completed';
      v_urgency := 'weekly';
      v_summary := pg_catalog.format('%s: stage %s completed', v_venture, v_stage);
    end if;
  elsif new.event_type = 'system.degradation' and v_p ->> 'state' = 'open'
      and not coalesce((v_p ->> 'reopened')::boolean, false) then
    v_type := 'circuit.opened';
    v_urgency := 'immediate';
    v_summary := pg_catalog.format('%s: circuit %s opened after %s consecutive failures; calls stop until %s',
      case when new.venture_id is null then 'Provider ' || pg_catalog.substr(v_p ->> 'circuit', 10) else v_venture end,
      v_p ->> 'circuit', v_p ->> 'failures', v_p ->> 'half_opens_at');
  elsif new.event_type = 'contract.timeout' and v_p ->> 'next' = 'escalated' then
    v_type := 'contract.escalated';
    v_urgency := 'immediate';
    v_summary := pg_catalog.format('%s: stage %s gave no result in %s attempt(s) and is blocked', v_venture, v_stage,
      v_p ->> 'attempt');
  elsif new.event_type = 'saga.paused' and coalesce(v_p ->> 'reason', '') not like 'circuit open:%' then
    v_type := 'saga.paused';
    v_urgency := 'immediate';
    -- The command before the reason, which may be long (the summary is cut to fit).
    v_summary := pg_catalog.format('%s: the %s saga paused at %s (eva sagas resume %s): %s', v_venture,
      pg_catalog.replace(v_p ->> 'saga_type', '_', ' '), v_p ->> 'step', v_p ->> 'saga_id', v_p ->> 'reason');
  elsif new.event_type = 'marketing.content_blocked' then
    -- Content the brand review failed too often waits for the Chairman (daily): it moves no more by itself.
    v_type := 'marketing.content_blocked';
    v_urgency := 'daily';
    v_summary := pg_catalog.format('%s: marketing content %s is blocked in %s: %s', v_venture, v_p ->> 'content_id',
      v_p ->> 'state', pg_catalog.regexp_replace(v_p ->> 'reason', '\s+', ' ', 'g'));
  else
    return null;
  end if;

  insert into eva.notifications (event_id, notification_type, urgency, channels, venture_id, decision_id, summary,
    action_path, payload)
  values (new.id, v_type, v_urgency,
    case when v_urgency = 'immediate' then array['inbox', 'webhook'] else array['inbox'] end,
    new.venture_id, v_decision, pg_catalog.left(v_summary, 300), v_path,
    pg_catalog.jsonb_build_object('event', new.event_type, 'stage', v_stage) || v_p)
  returning id into v_id;
  return null;
end;
$$;
comment on function eva_private.tg_event_log_notifications() is
  'Trigger: classifies a logged event by Decision #30 and writes its notification to the outbox (eva.notifications); the notification-webhook subscription delivers the webhook channel of immediate ones.';

create or replace trigger _500_notifications after insert on eva.eva_event_log
  for each row
  when (new.event_type in ('chairman.decision_requested', 'gate.evaluated', 'venture.killed', 'metric.auto_proceeded',
                           'stage.work_completed', 'system.degradation', 'contract.timeout', 'saga.paused',
                           'marketing.content_blocked'))
  execute function eva_private.tg_event_log_notifications();
