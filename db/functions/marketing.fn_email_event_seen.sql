-- Whether an email (its Resend id) was opened or clicked by a person (bots left out): the drip steps' conditions.
create or replace function marketing.fn_email_event_seen(p_venture uuid, p_email_id text, p_event_type text)
returns boolean
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select case when p_email_id is null then false else exists (
    select 1 from marketing.marketing_events e
    where e.venture_id = p_venture and e.event_type = p_event_type and not e.bot and e.source = 'resend'
      and e.properties ->> 'email_id' = p_email_id
      and e.occurred_at > pg_catalog.now() - interval '90 days') end;
$$;
comment on function marketing.fn_email_event_seen(uuid, text, text) is
  'Whether the email with Resend id p_email_id had a person''s (not a bot''s) event of p_event_type (open, click) in the last 90 days.';
grant execute on function marketing.fn_email_event_seen(uuid, text, text) to eva_service;
