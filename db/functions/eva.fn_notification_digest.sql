-- A digest (the daily one, the weekly summary) is itself a notification: it
-- gathers every daily or weekly notification not yet digested up to p_as_of,
-- groups them by venture, marks them as carried, and logs notification.digest,
-- from which the notification-webhook subscription delivers it. A second run for the same period finds nothing and returns null, so
-- a repeated or backfilled tick sends nothing twice.
create or replace function eva.fn_notification_digest(p_urgency eva.decision_urgency, p_as_of timestamptz default now())
returns uuid
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_id uuid := pg_catalog.gen_random_uuid();
  v_ventures jsonb;
  v_count int;
  v_venture_count int;
  v_event bigint;
begin
  if p_urgency is null or p_urgency = 'immediate' then
    raise exception 'a digest is daily or weekly, not %', coalesce(p_urgency::text, 'null') using errcode = 'EV400';
  end if;
  if p_as_of is null then
    raise exception 'a digest needs the time it runs as of (p_as_of)' using errcode = 'EV400';
  end if;
  -- One digest of a kind at a time: two ticks cannot carry the same notification.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('eva.notification_digest:' || p_urgency));

  with pending as (
    select n.* from eva.notifications n
    where n.urgency = p_urgency and n.digest_id is null and n.created_at <= p_as_of
      and n.notification_type not like 'digest.%'
  ), by_venture as (
    select p.venture_id, coalesce(v.name, 'Stage 0') as venture, pg_catalog.count(*) as n,
      pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('id', p.id, 'type', p.notification_type,
        'summary', p.summary, 'decisionId', p.decision_id, 'createdAt', p.created_at) order by p.created_at) as items
    from pending p left join eva.ventures v on v.id = p.venture_id
    group by p.venture_id, v.name
  )
  select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('ventureId', b.venture_id, 'venture', b.venture,
           'count', b.n, 'items', b.items) order by b.venture),
         coalesce(pg_catalog.sum(b.n), 0)::int, pg_catalog.count(*)::int
  into v_ventures, v_count, v_venture_count
  from by_venture b;

  if v_count = 0 then
    return null;
  end if;

  -- Its event is what the notification-webhook subscription delivers the digest from.
  v_event := eva_private.fn_log_event('notification.digest', null, pg_catalog.jsonb_build_object(
    'notification_id', v_id, 'urgency', p_urgency, 'count', v_count, 'ventures', v_venture_count, 'as_of', p_as_of));
  insert into eva.notifications (id, event_id, notification_type, urgency, channels, summary, action_path, payload)
  values (v_id, v_event, 'digest.' || p_urgency, p_urgency, array['inbox', 'webhook'],
    pg_catalog.format('%s digest: %s notification%s across %s venture%s', initcap(p_urgency::text), v_count,
      case when v_count = 1 then '' else 's' end, v_venture_count, case when v_venture_count = 1 then '' else 's' end),
    '/notifications/' || v_id,
    pg_catalog.jsonb_build_object('asOf', p_as_of, 'count', v_count, 'ventures', v_ventures));

  update eva.notifications n set digest_id = v_id
  where n.urgency = p_urgency and n.digest_id is null and n.created_at <= p_as_of and n.id <> v_id
    and n.notification_type not like 'digest.%';

  return v_id;
end;
$$;
comment on function eva.fn_notification_digest(eva.decision_urgency, timestamptz) is
  'Writes the daily or weekly digest notification (grouped by venture) of every such notification not yet digested up to p_as_of, and logs notification.digest (its webhook delivery comes from that event); null when there is nothing to digest.';
grant execute on function eva.fn_notification_digest(eva.decision_urgency, timestamptz) to eva_service;
