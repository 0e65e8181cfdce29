-- Requests an image or a video (spec §17.2, §17.3). The budget governor
-- reserves what the route's first provider would charge (Veo for hero
-- content, Kling otherwise; Gemini for images) against the venture's monthly
-- media budget: over budget, the generation is recorded as refused, with the
-- numbers, and no provider is called. Otherwise its job is queued.
create or replace function marketing.fn_request_media(p_venture_id uuid, p_kind text, p_prompt text,
  p_variant_id uuid default null, p_source_asset_id uuid default null, p_duration_seconds int default null,
  p_aspect_ratio text default null, p_template_id uuid default null, p_content_tier text default null,
  p_actor text default 'chairman')
returns marketing.media_generations
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row marketing.media_generations;
  v_tier text;
  v_provider text;
  v_estimate numeric;
  v_budget jsonb;
  v_template uuid := p_template_id;
  v_duration int := p_duration_seconds;
  v_aspect text := p_aspect_ratio;
begin
  if not exists (select 1 from eva.ventures v where v.id = p_venture_id) then
    raise exception 'no venture %', p_venture_id using errcode = 'EV404';
  end if;
  if p_kind is null or p_kind not in ('image', 'video') then
    raise exception 'a media generation is an image or a video, not %', coalesce(p_kind, 'null') using errcode = 'EV400';
  end if;
  if p_content_tier is not null and p_content_tier not in ('standard', 'hero') then
    raise exception 'a content tier is standard or hero, not %', p_content_tier using errcode = 'EV400';
  end if;
  if p_variant_id is not null then
    -- The content's tier rules (the optimizer or the Chairman set it with marketing.fn_set_content_tier).
    select c.content_tier into v_tier
    from marketing.marketing_content_variants cv join marketing.marketing_content c on c.id = cv.content_id
    where cv.id = p_variant_id and cv.venture_id = p_venture_id;
    if v_tier is null then
      raise exception 'no variant % of this venture', p_variant_id using errcode = 'EV404';
    end if;
    if p_content_tier is not null and p_content_tier <> v_tier then
      raise exception 'the variant''s content is %; change its tier with marketing.fn_set_content_tier', v_tier
        using errcode = 'EV409';
    end if;
  else
    v_tier := coalesce(p_content_tier, 'standard');
  end if;
  if p_source_asset_id is not null and not exists (
    select 1 from marketing.assets a where a.id = p_source_asset_id and a.venture_id = p_venture_id and a.kind <> 'video') then
    raise exception 'no image asset % of this venture', p_source_asset_id using errcode = 'EV404';
  end if;
  if p_kind = 'image' then
    v_provider := 'gemini';
    v_duration := null;
    if v_template is null then
      select b.id into v_template from marketing.brand_templates b where b.venture_id = p_venture_id
      order by b.version desc limit 1;
    elsif not exists (select 1 from marketing.brand_templates b where b.id = v_template and b.venture_id = p_venture_id) then
      raise exception 'no brand template % of this venture', v_template using errcode = 'EV404';
    end if;
    -- Without an aspect ratio, the supported one nearest the template's canvas (the overlay then crops least).
    if p_aspect_ratio is null and v_template is not null then
      select r.ratio into v_aspect
      from marketing.brand_templates b,
        (values ('1:1', 1.0), ('16:9', 16.0 / 9), ('9:16', 9.0 / 16), ('4:3', 4.0 / 3), ('3:4', 3.0 / 4),
          ('3:2', 1.5), ('2:3', 2.0 / 3), ('21:9', 21.0 / 9)) r(ratio, value)
      where b.id = v_template
      order by pg_catalog.abs(pg_catalog.ln(b.canvas_width::numeric / b.canvas_height) - pg_catalog.ln(r.value))
      limit 1;
    end if;
    select pg_catalog.max(p.cents_per_unit) into v_estimate from marketing.media_prices p
    where p.provider = 'gemini' and p.unit = 'image';
  else
    v_provider := case when v_tier = 'hero' then 'veo' else 'kling' end;
    v_duration := coalesce(v_duration, 5);
    v_template := null;
    select pg_catalog.max(p.cents_per_unit) * v_duration into v_estimate from marketing.media_prices p
    where p.provider = v_provider and p.unit = 'second';
  end if;
  v_estimate := coalesce(v_estimate, 0);
  v_budget := marketing.fn_media_budget_status(p_venture_id, p_kind);

  insert into marketing.media_generations (venture_id, variant_id, kind, content_tier, status, prompt, source_asset_id,
    duration_seconds, aspect_ratio, template_id, estimated_cost_cents, last_error, requested_by, finished_at)
  values (p_venture_id, p_variant_id, p_kind, v_tier,
    case when v_estimate > (v_budget ->> 'remaining_cents')::numeric then 'refused' else 'requested' end,
    p_prompt, p_source_asset_id, v_duration, coalesce(v_aspect, '16:9'), v_template,
    case when v_estimate > (v_budget ->> 'remaining_cents')::numeric then 0 else v_estimate end,
    case when v_estimate > (v_budget ->> 'remaining_cents')::numeric then pg_catalog.format(
      'over budget: %s costs about %s cents on %s; the venture''s %s budget for %s is %s cents, %s spent, %s reserved, %s remaining',
      p_kind, v_estimate, v_provider, p_kind, v_budget ->> 'month', v_budget ->> 'budget_cents', v_budget ->> 'spent_cents',
      v_budget ->> 'reserved_cents', v_budget ->> 'remaining_cents') end,
    coalesce(p_actor, 'chairman'),
    case when v_estimate > (v_budget ->> 'remaining_cents')::numeric then pg_catalog.now() end)
  returning * into v_row;

  perform eva_private.fn_log_event(
    case when v_row.status = 'refused' then 'marketing.media_refused' else 'marketing.media_requested' end, p_venture_id,
    pg_catalog.jsonb_build_object('generation_id', v_row.id, 'kind', p_kind, 'content_tier', v_tier,
      'route', v_provider, 'estimated_cost_cents', v_estimate, 'budget', v_budget));
  if v_row.status = 'requested' then
    perform graphile_worker.add_job('media_generation', pg_catalog.json_build_object('generation_id', v_row.id),
      job_key := 'media_generation:' || v_row.id, max_attempts := 5);
  end if;
  return v_row;
end;
$$;
comment on function marketing.fn_request_media(uuid, text, text, uuid, uuid, int, text, uuid, text, text) is
  'Requests an image or a video for a venture (optionally for a variant; video from a source image, duration in seconds). The budget governor refuses what the monthly budget cannot hold (status refused, last_error with the numbers); otherwise the media_generation job is queued. EV400 bad input, EV404 unknown venture, variant, asset or template, EV409 a tier that contradicts the variant''s content.';
grant execute on function marketing.fn_request_media(uuid, text, text, uuid, uuid, int, text, uuid, text, text)
  to eva_chairman, eva_service;
