-- The variants content:schedule:check gives a dispatch: those of the current
-- generation of content in SCHEDULE (that passed its review), one per
-- variant on its own platform, not email (sent by the email engine), of a
-- content item and platform without a dispatch yet (content:schedule:check
-- sends one variant of each, chosen by Thompson sampling).
create or replace function eva_private.fn_marketing_variants_to_schedule(p_limit int default 500)
returns table (variant_id uuid, content_id uuid, venture_id uuid, venture_name text, platform text, asset_text text,
  link_url text)
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select v.id, v.content_id, v.venture_id, ve.name, v.platform, v.asset_text,
    coalesce(v.metadata ->> 'link_url', c.metadata ->> 'link_url')
  from marketing.marketing_content c
  join marketing.marketing_content_variants v on v.content_id = c.id and v.generation = c.generation
  join eva.ventures ve on ve.id = c.venture_id
  where c.lifecycle_state = 'SCHEDULE' and c.status = 'active' and v.platform <> 'email'
    -- One dispatch per content item and platform: the schedule picks one of its variants by Thompson sampling.
    and not exists (select 1 from marketing.marketing_dispatches d join marketing.marketing_content_variants dv on dv.id = d.variant_id
                    where d.content_id = c.id and d.platform = v.platform and dv.generation = c.generation)
  order by c.state_changed_at, v.id
  limit p_limit;
$$;
comment on function eva_private.fn_marketing_variants_to_schedule(int) is
  'Variants of SCHEDULE content (current generation, not email) whose content has no dispatch on their platform yet: what content:schedule:check chooses from (one per content item and platform).';
grant execute on function eva_private.fn_marketing_variants_to_schedule(int) to eva_service;
