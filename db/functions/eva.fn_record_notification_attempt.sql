-- The delivery job records every try, so the Chairman (and an operator) can
-- see what the receiver answered; the attempt number is counted here.
create or replace function eva.fn_record_notification_attempt(
  p_notification_id uuid,
  p_channel text,
  p_outcome text,
  p_http_status int default null,
  p_error text default null
)
returns eva.notification_attempts
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row eva.notification_attempts;
begin
  if not exists (select 1 from eva.notifications n where n.id = p_notification_id and p_channel = any (n.channels)) then
    raise exception 'notification % has no % channel', p_notification_id, coalesce(p_channel, 'null') using errcode = 'EV404';
  end if;
  if p_outcome is null or p_outcome not in ('delivered', 'failed', 'skipped') then
    raise exception 'an attempt is delivered, failed or skipped, not %', coalesce(p_outcome, 'null') using errcode = 'EV400';
  end if;
  perform 1 from eva.notifications n where n.id = p_notification_id for update;
  insert into eva.notification_attempts (notification_id, channel, attempt, outcome, http_status, error)
  values (p_notification_id, p_channel,
    1 + (select pg_catalog.count(*) from eva.notification_attempts a
         where a.notification_id = p_notification_id and a.channel = p_channel),
    p_outcome, p_http_status, pg_catalog.left(p_error, 1000))
  returning * into v_row;
  return v_row;
end;
$$;
comment on function eva.fn_record_notification_attempt(uuid, text, text, int, text) is
  'Records one delivery attempt of a notification on a channel (numbered here); a second "delivered" is refused (23505).';
grant execute on function eva.fn_record_notification_attempt(uuid, text, text, int, text) to eva_service;
