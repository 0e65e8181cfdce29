-- The next default send time of a platform after p_after (today's slot if it
-- is still ahead, else tomorrow's), until the send-time optimizer picks one.
create or replace function eva_private.fn_marketing_default_send_time(p_platform text, p_after timestamptz)
returns timestamptz
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select case when slot > p_after then slot else slot + interval '1 day' end
  from (
    select (pg_catalog.date_trunc('day', p_after at time zone 'UTC') + coalesce(
      (select d.send_at from marketing.marketing_send_time_defaults d where d.platform = p_platform), time '15:00'))
      at time zone 'UTC' as slot
  ) s;
$$;
comment on function eva_private.fn_marketing_default_send_time(text, timestamptz) is
  'The platform''s next default send time (UTC, marketing.marketing_send_time_defaults) after p_after.';
grant execute on function eva_private.fn_marketing_default_send_time(text, timestamptz) to eva_service;
