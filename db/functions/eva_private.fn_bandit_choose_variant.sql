-- Which of a content item's variants for one platform goes out (spec §17.5,
-- "which variant to show"): the variant bandit of (content, platform), its
-- arms the variant ids, selects one by Thompson sampling and records it with
-- the probability it had of being picked.
create or replace function eva_private.fn_bandit_choose_variant(p_content_id uuid, p_platform text, p_variant_ids uuid[],
  p_subject_id uuid default null)
returns uuid
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_venture uuid;
  v_bandit uuid;
  v_sel marketing.bandit_selections;
begin
  select c.venture_id into v_venture from marketing.marketing_content c where c.id = p_content_id;
  if v_venture is null then
    raise exception 'no marketing content %', p_content_id using errcode = 'EV404';
  end if;
  if exists (select 1 from pg_catalog.unnest(p_variant_ids) x (id)
             where not exists (select 1 from marketing.marketing_content_variants v
                               where v.id = x.id and v.content_id = p_content_id and v.platform = p_platform)) then
    raise exception 'every variant must be of content % on %', p_content_id, p_platform using errcode = 'EV400';
  end if;
  v_bandit := marketing.fn_bandit_ensure(v_venture, 'variant', p_content_id::text || '/' || p_platform,
    (select pg_catalog.array_agg(x::text order by x) from pg_catalog.unnest(p_variant_ids) x));
  -- Variants of an older generation are no longer on offer.
  update marketing.bandit_arms a set status = 'retired', status_changed_at = pg_catalog.now()
  where a.bandit_id = v_bandit and a.status <> 'retired' and not (a.arm_value = any (p_variant_ids::text[]));
  v_sel := marketing.fn_bandit_select(v_bandit, 'variant', p_subject_id);
  perform eva_private.fn_bandit_note_probability(v_sel.id);
  return v_sel.arm_value::uuid;
end;
$$;
comment on function eva_private.fn_bandit_choose_variant(uuid, text, uuid[], uuid) is
  'The variant (of p_variant_ids, all of the content on the platform) Thompson sampling sends, from the variant bandit of (content, platform); the selection recorded with its draws. EV404 unknown content, EV400 a variant not of it.';
grant execute on function eva_private.fn_bandit_choose_variant(uuid, text, uuid[], uuid) to eva_service;
