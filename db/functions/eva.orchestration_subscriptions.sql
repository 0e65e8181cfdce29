-- Orchestration metrics (spec §3, §13): each event subscription, EVA's own
-- reactions among them, with what its deliveries did in the last 24 hours and
-- what is open now (waiting or retrying), its last error and how far behind
-- the oldest open delivery is. Row level security applies (viewers read no
-- deliveries: their counts are 0).
create or replace view eva.orchestration_subscriptions with (security_invoker = true) as
select s.name as subscription,
  s.handler,
  s.enabled,
  pg_catalog.array_to_string(s.event_types, ', ') as event_types,
  s.filter,
  coalesce(d.delivered_24h, 0) as delivered_24h,
  coalesce(d.dead_lettered_24h, 0) as dead_lettered_24h,
  coalesce(o.open, 0) as open,
  coalesce(o.retrying, 0) as retrying,
  o.oldest_open_at,
  d.last_delivered_at,
  (select x.last_error from eva.event_deliveries x
    where x.subscription_id = s.id and x.last_error is not null
      and x.event_logged_at > pg_catalog.now() - interval '24 hours'
    order by x.updated_at desc limit 1) as last_error
from eva.event_subscriptions s
left join lateral (
  select pg_catalog.count(*) filter (where x.status = 'delivered') as delivered_24h,
    pg_catalog.count(*) filter (where x.status = 'dead_lettered') as dead_lettered_24h,
    pg_catalog.max(x.delivered_at) as last_delivered_at
  from eva.event_deliveries x
  where x.subscription_id = s.id and x.event_logged_at > pg_catalog.now() - interval '24 hours'
) d on true
left join lateral (
  select pg_catalog.count(*) as open, pg_catalog.count(*) filter (where x.status = 'retrying') as retrying,
    pg_catalog.min(x.created_at) as oldest_open_at
  from eva.event_deliveries x
  where x.subscription_id = s.id and x.status in ('pending', 'retrying')
) o on true
order by s.name;
comment on view eva.orchestration_subscriptions is
  'Event subscriptions (EVA''s reactions and any added): handler, enabled, patterns, filter; deliveries delivered and dead-lettered in the last 24 h (by event time), open now (pending or retrying), the oldest open one, the last delivered, the last error in 24 h.';
grant select on eva.orchestration_subscriptions to eva_chairman, eva_service, eva_viewer;
