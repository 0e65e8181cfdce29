-- The Chairman's "publish this variant now" through GraphQL (the CLI's
-- `eva marketing publish` takes the same path and also runs the attempt at
-- once): the variant's dispatch on the platform (its own by default), its
-- text and UTM-tagged link from eva_private.fn_marketing_compose_post, made
-- due now with its job queued. Repeating it returns the same
-- dispatch and never posts twice.
create or replace function marketing.fn_request_publish(p_variant_id uuid, p_platform text default null)
returns marketing.marketing_dispatches
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_variant marketing.marketing_content_variants;
  v_platform text;
  v_id uuid;
  v_text text;
  v_link text;
begin
  select * into v_variant from marketing.marketing_content_variants v where v.id = p_variant_id;
  if not found then
    raise exception 'no marketing variant %', p_variant_id using errcode = 'EV404';
  end if;
  v_platform := pg_catalog.lower(pg_catalog.btrim(coalesce(p_platform, v_variant.platform)));
  select d.id into v_id from marketing.marketing_dispatches d
  where d.variant_id = p_variant_id and d.platform = v_platform and d.account_key = '';
  v_id := coalesce(v_id, gen_random_uuid());
  select p.post_text, p.link into v_text, v_link
  from eva_private.fn_marketing_compose_post(v_variant.id, v_platform, v_id) p;
  return marketing.fn_publish_now(v_id, v_variant.id, v_platform, v_text, v_link);
end;
$$;
comment on function marketing.fn_request_publish(uuid, text) is
  'The Chairman dispatches a variant now on a platform (default: the variant''s own), through the idempotent path: the same dispatch on every call, queued for a worker; a posted one is returned untouched. EV400 bad input, EV404 unknown variant.';
grant execute on function marketing.fn_request_publish(uuid, text) to eva_chairman;
