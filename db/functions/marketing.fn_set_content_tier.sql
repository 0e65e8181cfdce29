-- Tags a content item standard or hero (spec §17.3): video for hero content
-- goes to Veo, set by the optimizer or the Chairman; everything else to Kling.
create or replace function marketing.fn_set_content_tier(p_content_id uuid, p_tier text)
returns marketing.marketing_content
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row marketing.marketing_content;
begin
  if p_tier is null or p_tier not in ('standard', 'hero') then
    raise exception 'a content tier is standard or hero, not %', coalesce(p_tier, 'null') using errcode = 'EV400';
  end if;
  update marketing.marketing_content c set content_tier = p_tier, updated_at = pg_catalog.now()
  where c.id = p_content_id
  returning * into v_row;
  if v_row.id is null then
    raise exception 'no content %', p_content_id using errcode = 'EV404';
  end if;
  perform eva_private.fn_log_event('marketing.content_tier_set', v_row.venture_id,
    pg_catalog.jsonb_build_object('content_id', p_content_id, 'content_tier', p_tier));
  return v_row;
end;
$$;
comment on function marketing.fn_set_content_tier(uuid, text) is
  'Sets a content item''s tier (standard | hero; Veo renders video only for hero). EV400 bad tier, EV404 unknown content.';
grant execute on function marketing.fn_set_content_tier(uuid, text) to eva_chairman, eva_service;
