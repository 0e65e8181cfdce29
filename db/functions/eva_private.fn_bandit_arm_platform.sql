-- The platform a channel arm stands for: metadata.platform when set, else the
-- arm's name when it is a platform (or names one: "LinkedIn ads" → linkedin,
-- "Twitter" → x). Null: a channel no publisher posts to (SEO, events…); "Email newsletter" is email.
create or replace function eva_private.fn_bandit_arm_platform(p_arm_value text, p_metadata jsonb)
returns text
language sql
immutable
parallel safe
security definer
set search_path = pg_catalog, pg_temp
as $$
  select coalesce(
    case when p_metadata ->> 'platform' in ('bluesky', 'mastodon', 'x', 'youtube', 'threads', 'linkedin', 'tiktok', 'reddit', 'email')
      then p_metadata ->> 'platform' end,
    (select p from pg_catalog.unnest(array['bluesky', 'mastodon', 'youtube', 'threads', 'linkedin', 'tiktok', 'reddit', 'email', 'x']) p
     where pg_catalog.lower(p_arm_value) ~ ('(^|[^a-z])' || p || '([^a-z]|$)') limit 1),
    case when pg_catalog.lower(p_arm_value) ~ '(^|[^a-z])twitter([^a-z]|$)' then 'x' end);
$$;
comment on function eva_private.fn_bandit_arm_platform(text, jsonb) is
  'The platform of a channel arm (metadata.platform, or the platform its name names; "twitter" is x), or null.';
grant execute on function eva_private.fn_bandit_arm_platform(text, jsonb) to eva_service;
