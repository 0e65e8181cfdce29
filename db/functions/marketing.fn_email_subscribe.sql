-- Puts an address on a campaign: the subscriber (once per venture) and its
-- state, the first step due after its delay. A suppressed address (it
-- unsubscribed, bounced or complained at this venture) is refused.
create or replace function marketing.fn_email_subscribe(p_campaign uuid, p_email text, p_name text default null)
returns marketing.marketing_email_state
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_campaign marketing.marketing_email_campaigns;
  v_email text := pg_catalog.lower(pg_catalog.btrim(p_email));
  v_subscriber uuid;
  v_state marketing.marketing_email_state;
  v_delay numeric;
begin
  select * into v_campaign from marketing.marketing_email_campaigns where id = p_campaign;
  if not found then
    raise exception 'campaign % does not exist', coalesce(p_campaign::text, 'null') using errcode = 'EV404';
  end if;
  if v_email is null or v_email !~ '^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$' then
    raise exception 'not an email address: %', coalesce(p_email, 'null') using errcode = 'EV400';
  end if;
  if exists (select 1 from marketing.marketing_email_suppressions s where s.venture_id = v_campaign.venture_id and s.email = v_email) then
    raise exception '% is suppressed for this venture (%): it is never emailed again', v_email,
      (select s.reason from marketing.marketing_email_suppressions s where s.venture_id = v_campaign.venture_id and s.email = v_email)
      using errcode = 'EV409';
  end if;
  insert into marketing.marketing_email_subscribers (venture_id, email, name) values (v_campaign.venture_id, v_email, nullif(pg_catalog.btrim(p_name), ''))
  on conflict (venture_id, email) do update set name = coalesce(excluded.name, marketing_email_subscribers.name)
  returning id into v_subscriber;
  select s.delay_hours into v_delay from marketing.marketing_email_steps s where s.campaign_id = p_campaign and s.step_number = 1;
  insert into marketing.marketing_email_state (campaign_id, subscriber_id, current_step, next_send_at, status)
  values (p_campaign, v_subscriber, 0, eva.fn_scheduler_now() + pg_catalog.make_interval(secs => coalesce(v_delay, 0) * 3600), 'active')
  on conflict (campaign_id, subscriber_id) do nothing;
  select * into v_state from marketing.marketing_email_state where campaign_id = p_campaign and subscriber_id = v_subscriber;
  return v_state;
end;
$$;
comment on function marketing.fn_email_subscribe(uuid, text, text) is
  'Subscribes an address to a campaign (idempotent: an existing state is returned as it is); the first step is due after its delay on the scheduler''s clock. A suppressed address is EV409.';
grant execute on function marketing.fn_email_subscribe(uuid, text, text) to eva_chairman, eva_service;
