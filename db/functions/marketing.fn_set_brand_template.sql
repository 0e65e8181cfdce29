-- Writes a venture's brand template as its next version (spec §17.2): the
-- overlay's exact boxes. Versions are never changed; the latest one applies.
-- p_template: { canvas: {width, height}, logo: {asset_id, x, y, w, h},
-- cta: {text, x, y, w, h, bg, fg}, legal: {text, x, y, size, color},
-- watermark: {text, opacity} } — logo, cta, legal and watermark optional.
create or replace function marketing.fn_set_brand_template(p_venture_id uuid, p_template jsonb, p_actor text default 'chairman')
returns marketing.brand_templates
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row marketing.brand_templates;
  v_t jsonb := coalesce(p_template, '{}');
  v_logo uuid := (v_t #>> '{logo,asset_id}')::uuid;
begin
  if not exists (select 1 from eva.ventures v where v.id = p_venture_id) then
    raise exception 'no venture %', p_venture_id using errcode = 'EV404';
  end if;
  if v_t -> 'canvas' is null then
    raise exception 'a brand template needs its canvas: {"canvas": {"width": …, "height": …}}' using errcode = 'EV400';
  end if;
  if v_logo is not null and not exists (
    select 1 from marketing.assets a where a.id = v_logo and a.venture_id = p_venture_id and a.kind in ('logo', 'image')) then
    raise exception 'no logo asset % of this venture (record it first: eva marketing media template --logo FILE)', v_logo
      using errcode = 'EV404';
  end if;
  -- One writer per venture at a time: versions stay gap-free.
  perform 1 from eva.ventures v where v.id = p_venture_id for update;
  insert into marketing.brand_templates (venture_id, version, canvas_width, canvas_height,
    logo_asset_id, logo_x, logo_y, logo_w, logo_h,
    cta_text, cta_x, cta_y, cta_w, cta_h, cta_bg, cta_fg,
    legal_text, legal_x, legal_y, legal_size, legal_color,
    watermark_text, watermark_opacity, created_by)
  values (p_venture_id,
    coalesce((select pg_catalog.max(b.version) from marketing.brand_templates b where b.venture_id = p_venture_id), 0) + 1,
    (v_t #>> '{canvas,width}')::int, (v_t #>> '{canvas,height}')::int,
    v_logo, (v_t #>> '{logo,x}')::int, (v_t #>> '{logo,y}')::int, (v_t #>> '{logo,w}')::int, (v_t #>> '{logo,h}')::int,
    v_t #>> '{cta,text}', (v_t #>> '{cta,x}')::int, (v_t #>> '{cta,y}')::int, (v_t #>> '{cta,w}')::int,
    (v_t #>> '{cta,h}')::int, coalesce(v_t #>> '{cta,bg}', '#1a56db'), coalesce(v_t #>> '{cta,fg}', '#ffffff'),
    v_t #>> '{legal,text}', (v_t #>> '{legal,x}')::int, (v_t #>> '{legal,y}')::int,
    coalesce((v_t #>> '{legal,size}')::int, 14), coalesce(v_t #>> '{legal,color}', '#ffffff'),
    v_t #>> '{watermark,text}', coalesce((v_t #>> '{watermark,opacity}')::numeric, 0.25),
    coalesce(p_actor, 'chairman'))
  returning * into v_row;
  perform eva_private.fn_log_event('marketing.brand_template_set', p_venture_id,
    pg_catalog.jsonb_build_object('template_id', v_row.id, 'version', v_row.version));
  return v_row;
end;
$$;
comment on function marketing.fn_set_brand_template(uuid, jsonb, text) is
  'Writes a venture''s next brand-template version (canvas, logo box, CTA button, legal text, watermark). EV400 bad input (a box outside the canvas is refused by the table''s checks), EV404 unknown venture or logo.';
grant execute on function marketing.fn_set_brand_template(uuid, jsonb, text) to eva_chairman, eva_service;
