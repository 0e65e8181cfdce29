-- A drip campaign with its steps, from one JSON document (the CLI's
-- `eva marketing email campaign create <venture> <file>`): every problem named
-- (EV400) and nothing written, the sender on one of the venture's domains.
create or replace function marketing.fn_email_create_campaign(p_venture uuid, p_campaign jsonb)
returns uuid
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_errors text[] := '{}';
  v_from text := pg_catalog.lower(pg_catalog.btrim(p_campaign ->> 'from'));
  v_id uuid;
  v_step jsonb;
  v_i int := 0;
begin
  if not exists (select 1 from eva.ventures where id = p_venture) then
    raise exception 'venture % does not exist', coalesce(p_venture::text, 'null') using errcode = 'EV404';
  end if;
  if p_campaign is null or pg_catalog.jsonb_typeof(p_campaign) <> 'object' then
    raise exception 'a campaign is a JSON object {name, campaignType, from, fromName, steps: [{delayHours, subject, text, html, condition}]}'
      using errcode = 'EV400';
  end if;
  if coalesce(pg_catalog.btrim(p_campaign ->> 'name'), '') = '' then
    v_errors := v_errors || 'name is required'::text;
  end if;
  if coalesce(p_campaign ->> 'campaignType', '') not in ('welcome', 'onboarding', 'nurture', 'reactivation') then
    v_errors := v_errors || ('campaignType must be welcome, onboarding, nurture or reactivation, not ' || coalesce((p_campaign -> 'campaignType')::text, 'missing'));
  end if;
  if v_from is null or v_from !~ '^[^@\s<>]+@[a-z0-9.-]+$' then
    v_errors := v_errors || ('from must be an address (hello@example.com), not ' || coalesce((p_campaign -> 'from')::text, 'missing'));
  elsif not exists (select 1 from marketing.marketing_email_domains d where d.venture_id = p_venture and d.domain = pg_catalog.split_part(v_from, '@', 2)) then
    v_errors := v_errors || pg_catalog.format('from %s is not on a sender domain of this venture (%s)', v_from,
      coalesce((select pg_catalog.string_agg(d.domain, ', ' order by d.domain) from marketing.marketing_email_domains d where d.venture_id = p_venture),
        'none yet: add one with eva marketing email domain add'));
  end if;
  if pg_catalog.jsonb_typeof(p_campaign -> 'steps') <> 'array' or pg_catalog.jsonb_array_length(p_campaign -> 'steps') = 0 then
    v_errors := v_errors || 'steps must be a non-empty array'::text;
  else
    for v_step in select * from pg_catalog.jsonb_array_elements(p_campaign -> 'steps') loop
      v_i := v_i + 1;
      if pg_catalog.jsonb_typeof(v_step) <> 'object' then
        v_errors := v_errors || pg_catalog.format('step %s: must be an object', v_i);
        continue;
      end if;
      if coalesce(pg_catalog.jsonb_typeof(v_step -> 'delayHours'), 'number') <> 'number' or coalesce((v_step ->> 'delayHours')::numeric, 0) < 0 then
        v_errors := v_errors || pg_catalog.format('step %s: delayHours must be a number of hours, 0 or more', v_i);
      end if;
      if coalesce(pg_catalog.btrim(v_step ->> 'subject'), '') = '' then
        v_errors := v_errors || pg_catalog.format('step %s: subject is required', v_i);
      end if;
      if coalesce(pg_catalog.btrim(v_step ->> 'text'), '') = '' then
        v_errors := v_errors || pg_catalog.format('step %s: text (the plain-text body) is required', v_i);
      end if;
      if coalesce(v_step ->> 'condition', 'always') not in ('always', 'opened_previous', 'not_opened_previous', 'clicked_previous', 'not_clicked_previous') then
        v_errors := v_errors || pg_catalog.format('step %s: condition must be always, opened_previous, not_opened_previous, clicked_previous or not_clicked_previous', v_i);
      end if;
    end loop;
  end if;
  if exists (select 1 from marketing.marketing_email_campaigns c where c.venture_id = p_venture and c.name = pg_catalog.btrim(p_campaign ->> 'name')) then
    raise exception 'this venture already has a campaign named %', pg_catalog.btrim(p_campaign ->> 'name') using errcode = 'EV409';
  end if;
  if pg_catalog.cardinality(v_errors) > 0 then
    raise exception 'campaign refused, nothing created: %', pg_catalog.array_to_string(v_errors, '; ') using errcode = 'EV400';
  end if;

  insert into marketing.marketing_email_campaigns (venture_id, name, campaign_type, from_address, from_name)
  values (p_venture, pg_catalog.btrim(p_campaign ->> 'name'), p_campaign ->> 'campaignType', v_from, nullif(pg_catalog.btrim(p_campaign ->> 'fromName'), ''))
  returning id into v_id;
  insert into marketing.marketing_email_steps (campaign_id, step_number, delay_hours, subject, body_text, body_html, condition)
  select v_id, s.ord, coalesce((s.step ->> 'delayHours')::numeric, 0), s.step ->> 'subject', s.step ->> 'text', s.step ->> 'html',
    coalesce(s.step ->> 'condition', 'always')
  from pg_catalog.jsonb_array_elements(p_campaign -> 'steps') with ordinality s(step, ord);
  perform eva_private.fn_log_event('marketing.email_campaign_created', p_venture,
    pg_catalog.jsonb_build_object('campaign_id', v_id, 'name', pg_catalog.btrim(p_campaign ->> 'name'), 'steps', pg_catalog.jsonb_array_length(p_campaign -> 'steps')));
  return v_id;
end;
$$;
comment on function marketing.fn_email_create_campaign(uuid, jsonb) is
  'Creates a drip campaign and its steps from {name, campaignType (welcome|onboarding|nurture|reactivation), from (an address on one of the venture''s sender domains), fromName, steps: [{delayHours, subject, text, html, condition}]}; every problem named (EV400), nothing written; a name already used is EV409. Returns the campaign id.';
grant execute on function marketing.fn_email_create_campaign(uuid, jsonb) to eva_chairman, eva_service;
