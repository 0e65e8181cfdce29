-- The DLQ depth check (weekly): counts the dead letters still pending; above
-- the limit (settings scheduler.dlq_alert_depth, 10) it opens a P1 alert,
-- unless one is open already (then its count is brought up to date).
create or replace function eva_private.fn_scheduler_dlq_check()
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_depth int;
  v_limit int := coalesce((select (s.value #>> '{}')::int from eva_private.settings s where s.key = 'scheduler.dlq_alert_depth'), 10);
  v_alert uuid;
  v_result jsonb;
begin
  select pg_catalog.count(*)::int into v_depth from eva.eva_event_dlq where status = 'pending';
  if v_depth > v_limit then
    update eva.eva_alerts set details = details || pg_catalog.jsonb_build_object('depth', v_depth),
      message = 'the dead letter queue holds ' || v_depth || ' pending events (limit ' || v_limit || ')'
    where alert_type = 'dlq_depth' and status = 'open'
    returning id into v_alert;
    if v_alert is null then
      insert into eva.eva_alerts (severity, alert_type, message, details)
      values ('P1', 'dlq_depth', 'the dead letter queue holds ' || v_depth || ' pending events (limit ' || v_limit || ')',
        pg_catalog.jsonb_build_object('depth', v_depth, 'limit', v_limit))
      returning id into v_alert;
      -- The depth has just crossed its limit: a change of the system's health.
      perform eva_private.fn_log_event('system.health_change', null, pg_catalog.jsonb_build_object(
        'component', 'dead_letter_queue', 'status', 'degraded', 'depth', v_depth, 'limit', v_limit, 'alert_id', v_alert));
    end if;
  end if;
  v_result := pg_catalog.jsonb_build_object('depth', v_depth, 'limit', v_limit, 'alertId', v_alert,
    'at', eva.fn_scheduler_now());
  perform eva_private.fn_log_event('scheduler.dlq_depth_checked', null, v_result);
  return v_result;
end;
$$;
comment on function eva_private.fn_scheduler_dlq_check() is
  'Tick (weekly): counts pending DLQ events; above scheduler.dlq_alert_depth opens (or updates) one open P1 dlq_depth alert. Logs and returns the count.';
grant execute on function eva_private.fn_scheduler_dlq_check() to eva_service;
