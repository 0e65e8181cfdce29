-- A dispatch for one variant on one platform (and account): written with its
-- idempotency key before anything is sent, at the platform's default send
-- time (or p_due_at) pushed later as far as the platform's rate limits need
-- (admitted here, at scheduling time). Repeating it returns the same row.
-- Refused at once, with the reason, when the venture may not post there
-- (Reddit is off until the Chairman enables it) or the rate limits leave no
-- room within the horizon.
create or replace function marketing.fn_schedule_dispatch(
  p_dispatch_id uuid,
  p_variant_id uuid,
  p_platform text,
  p_post_text text,
  p_link text default null,
  p_due_at timestamptz default null,
  p_origin text default 'schedule',
  p_account_key text default ''
)
returns marketing.marketing_dispatches
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_variant marketing.marketing_content_variants;
  v_row marketing.marketing_dispatches;
  v_platform text := pg_catalog.lower(pg_catalog.btrim(p_platform));
  v_account text := coalesce(p_account_key, '');
  v_due timestamptz;
  v_admitted timestamptz;
  v_refusal text;
begin
  if p_dispatch_id is null or p_variant_id is null then
    raise exception 'a dispatch id and a variant id are required' using errcode = 'EV400';
  end if;
  if v_platform is null or v_platform not in ('bluesky', 'mastodon', 'x', 'youtube', 'threads', 'linkedin', 'tiktok', 'reddit') then
    raise exception 'unknown platform "%"', p_platform using errcode = 'EV400',
      hint = 'Platforms: bluesky, mastodon, x, youtube, threads, linkedin, tiktok, reddit (dry-run is a mode, not a platform).';
  end if;
  if p_origin not in ('schedule', 'publish_now') then
    raise exception 'unknown dispatch origin "%"', p_origin using errcode = 'EV400';
  end if;
  if p_post_text is null or pg_catalog.btrim(p_post_text) = '' then
    raise exception 'a dispatch needs the text to post' using errcode = 'EV400';
  end if;
  select * into v_variant from marketing.marketing_content_variants v where v.id = p_variant_id;
  if not found then
    raise exception 'no marketing variant %', p_variant_id using errcode = 'EV404';
  end if;

  select * into v_row from marketing.marketing_dispatches d
  where d.variant_id = p_variant_id and d.platform = v_platform and d.account_key = v_account;
  if found then
    return v_row;
  end if;

  v_due := coalesce(p_due_at, eva_private.fn_marketing_default_send_time(v_platform, pg_catalog.now()));
  if v_platform = 'reddit' and not exists (
      select 1 from marketing.marketing_reddit_enabled r where r.venture_id = v_variant.venture_id) then
    v_refusal := 'Reddit is off for this venture until the Chairman enables it (eva marketing reddit enable)';
  else
    v_admitted := eva_private.fn_marketing_admit(v_platform, v_account, v_due);
    if v_admitted is null then
      v_refusal := pg_catalog.format('rate limit: no room on %s within %s days of %s', v_platform,
        coalesce((select s.value #>> '{}' from eva_private.settings s where s.key = 'marketing.dispatch_horizon_days'), '7'),
        v_due);
    else
      v_due := v_admitted;
    end if;
  end if;

  insert into marketing.marketing_dispatches as d (id, variant_id, content_id, venture_id, platform, account_key,
    idempotency_key, status, due_at, post_text, link, origin, refusal_reason, error_class)
  values (p_dispatch_id, v_variant.id, v_variant.content_id, v_variant.venture_id, v_platform, v_account,
    'eva-' || pg_catalog.left(pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(
      v_variant.id || ':' || v_platform || ':' || v_account, 'UTF8')), 'hex'), 40),
    case when v_refusal is null then 'scheduled' else 'refused' end, v_due, p_post_text, p_link, p_origin, v_refusal,
    case when v_refusal like 'rate limit:%' then 'rate_limited' end)
  on conflict (variant_id, platform, account_key) do nothing
  returning * into v_row;
  if v_row.id is null then
    select * into v_row from marketing.marketing_dispatches d
    where d.variant_id = p_variant_id and d.platform = v_platform and d.account_key = v_account;
    return v_row;
  end if;
  perform eva_private.fn_log_event(case when v_refusal is null then 'marketing.dispatch_scheduled'
      else 'marketing.dispatch_refused' end, v_row.venture_id, pg_catalog.jsonb_build_object(
    'dispatch_id', v_row.id, 'variant_id', v_row.variant_id, 'content_id', v_row.content_id, 'platform', v_platform,
    'due_at', v_row.due_at, 'reason', v_refusal, 'requested_due_at', p_due_at));
  return v_row;
end;
$$;
comment on function marketing.fn_schedule_dispatch(uuid, uuid, text, text, text, timestamptz, text, text) is
  'Creates the dispatch of a variant on a platform (and account) with its idempotency key, due at the platform''s default send time (or p_due_at) admitted against the rate limits; the same row on a repeat. Refused with the reason for Reddit when the Chairman has not enabled it, or when the rate limits leave no room. EV400 bad input, EV404 unknown variant.';
grant execute on function marketing.fn_schedule_dispatch(uuid, uuid, text, text, text, timestamptz, text, text) to eva_service;
