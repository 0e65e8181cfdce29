-- A subscription's filter, checked by the dispatcher before it writes a
-- delivery: a delivery costs a row and a job, so events that cannot matter to
-- the handler get none. Every key given must hold:
--   payload      the event's payload contains this object (jsonb @>);
--   payload_any  it contains one of these objects;
--   state        a named predicate over what the database holds now (the
--                event has committed, so its change is visible):
--     dependency_party      the event's venture is the provider or the dependent
--                           of a pending dependency (what re-evaluation can change);
--     queue_stale           a queued stage_run job of the venture, or of a venture
--                           it waits on, is off its venture's priority (what a
--                           re-rank would move);
--     notification_webhook  the event has a notification for the webhook channel.
-- A predicate false at dispatch stays false for this event: a later change that
-- would make it true logs its own event.
-- Generic plans (plan_cache_mode): with its arguments known, the state CASE
-- folds to one branch, so PostgreSQL's custom plan always looks cheaper than
-- the generic one and it re-planned the statement (about 1.4 ms, ten times its
-- run) for every event the dispatcher checked; the generic plan runs only the
-- branch asked for, through the same indexes.
create or replace function eva_private.fn_event_filter_passes(p_filter jsonb, p_event_id bigint, p_venture_id uuid,
  p_payload jsonb)
returns boolean
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
set plan_cache_mode = force_generic_plan
as $$
begin
  if p_filter is null then
    return true;
  end if;
  if p_filter ? 'payload' and not coalesce(p_payload @> (p_filter -> 'payload'), false) then
    return false;
  end if;
  if p_filter ? 'payload_any' and not exists (
      select 1 from pg_catalog.jsonb_array_elements(p_filter -> 'payload_any') f where p_payload @> f) then
    return false;
  end if;
  if p_filter ? 'state' then
    return case p_filter ->> 'state'
      when 'dependency_party' then p_venture_id is not null and exists (
        select 1 from eva.venture_dependencies d
        where d.status = 'pending' and (d.provider_venture_id = p_venture_id or d.dependent_venture_id = p_venture_id))
      -- eva_private.fn_stage_run_priority's formula, inline: asked for most stage completions, so it stays
      -- one cached plan instead of a function planned per call; the venture's own work by its open-work
      -- index, its providers' only when it waits on any.
      when 'queue_stale' then p_venture_id is not null and (
        exists (
          select 1
          from eva.venture_stage_work w
          join eva.ventures v on v.id = w.venture_id
          join graphile_worker._private_jobs j on j.key = 'stage_run:' || w.id::text
          where w.venture_id = p_venture_id and w.status = 'ready' and j.locked_at is null
            and j.priority <> least(10000, greatest(0, pg_catalog.round((100 - eva.fn_venture_priority(v)) * 100)))::int)
        or exists (
          select 1
          from eva.venture_dependencies d
          join eva.venture_stage_work w on w.venture_id = d.provider_venture_id and w.status = 'ready'
          join eva.ventures v on v.id = w.venture_id
          join graphile_worker._private_jobs j on j.key = 'stage_run:' || w.id::text
          where d.dependent_venture_id = p_venture_id and d.status = 'pending' and j.locked_at is null
            and j.priority <> least(10000, greatest(0, pg_catalog.round((100 - eva.fn_venture_priority(v)) * 100)))::int))
      when 'notification_webhook' then exists (
        select 1 from eva.notifications n where n.event_id = p_event_id and 'webhook' = any (n.channels))
      else false end;
  end if;
  return true;
end;
$$;
comment on function eva_private.fn_event_filter_passes(jsonb, bigint, uuid, jsonb) is
  'Whether an event passes a subscription''s filter (null: always): payload containment (payload, payload_any) and a named state predicate (state: dependency_party, queue_stale, notification_webhook).';
