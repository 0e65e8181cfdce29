-- The text a platform receives for a variant's dispatch, and its UTM-tagged
-- link (spec §17.6: lowercase; utm_source = the platform, utm_medium = social,
-- utm_campaign = the venture, utm_content = the variant, utm_id = the dispatch,
-- which also makes the link the post's marker when a dispatch is reconciled).
-- The one composer: the schedule, `eva marketing publish` and GraphQL's
-- requestPublish all take their post from here. A variant (or its content)
-- without an http(s) link_url posts its text alone.
create or replace function eva_private.fn_marketing_compose_post(p_variant_id uuid, p_platform text, p_dispatch_id uuid)
returns table (post_text text, link text)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_variant marketing.marketing_content_variants;
  v_url text;
  v_slug text;
begin
  select * into v_variant from marketing.marketing_content_variants v where v.id = p_variant_id;
  if not found then
    raise exception 'no marketing variant %', p_variant_id using errcode = 'EV404';
  end if;
  v_url := coalesce(v_variant.metadata ->> 'link_url',
    (select c.metadata ->> 'link_url' from marketing.marketing_content c where c.id = v_variant.content_id));
  if v_url ~ '^https?://' then
    select pg_catalog.btrim(pg_catalog.regexp_replace(pg_catalog.lower(v.name), '[^a-z0-9]+', '-', 'g'), '-')
      into v_slug from eva.ventures v where v.id = v_variant.venture_id;
    link := v_url || case when v_url like '%?%' then '&' else '?' end
      || 'utm_source=' || pg_catalog.lower(p_platform) || '&utm_medium=social&utm_campaign='
      || coalesce(nullif(v_slug, ''), 'venture') || '&utm_content=' || v_variant.id || '&utm_id=' || p_dispatch_id;
    post_text := pg_catalog.rtrim(v_variant.asset_text) || E'\n\n' || link;
  else
    link := null;
    post_text := v_variant.asset_text;
  end if;
  return next;
end;
$$;
comment on function eva_private.fn_marketing_compose_post(uuid, text, uuid) is
  'A variant''s post on a platform for a dispatch: its text and its UTM-tagged link (null without an http(s) link_url). EV404 unknown variant.';
grant execute on function eva_private.fn_marketing_compose_post(uuid, text, uuid) to eva_service;
