-- Records an asset whose bytes the asset store holds (spec §17.2): one row per
-- venture and sha256, so the same bytes recorded twice are one asset (the
-- first row's provenance kept; a variant link is added when it had none).
create or replace function marketing.fn_record_asset(p_venture_id uuid, p_sha256 text, p_kind text, p_mime text,
  p_bytes bigint, p_width int, p_height int, p_provider text, p_model text default null, p_simulation boolean default false,
  p_variant_id uuid default null, p_derived_from uuid default null, p_template_id uuid default null,
  p_generation_id uuid default null, p_provenance jsonb default '{}')
returns marketing.assets
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row marketing.assets;
begin
  if not exists (select 1 from eva.ventures v where v.id = p_venture_id) then
    raise exception 'no venture %', p_venture_id using errcode = 'EV404';
  end if;
  if p_variant_id is not null and not exists (
    select 1 from marketing.marketing_content_variants cv where cv.id = p_variant_id and cv.venture_id = p_venture_id) then
    raise exception 'no variant % of this venture', p_variant_id using errcode = 'EV404';
  end if;
  insert into marketing.assets as a (venture_id, sha256, kind, mime, bytes, width, height, provider, model, simulation, label,
    variant_id, derived_from, template_id, generation_id, provenance)
  values (p_venture_id, pg_catalog.lower(p_sha256), p_kind, p_mime, p_bytes, p_width, p_height, p_provider, p_model,
    coalesce(p_simulation, false), case when coalesce(p_simulation, false) then 'simulation' else 'fact' end,
    p_variant_id, p_derived_from, p_template_id, p_generation_id, coalesce(p_provenance, '{}'))
  on conflict (venture_id, sha256) do update set variant_id = coalesce(a.variant_id, excluded.variant_id)
  returning * into v_row;
  return v_row;
end;
$$;
comment on function marketing.fn_record_asset(uuid, text, text, text, bigint, int, int, text, text, boolean, uuid, uuid, uuid, uuid, jsonb) is
  'Records an asset stored content-addressed (sha256) for a venture, with its provenance; the same bytes again return the existing asset. EV404 unknown venture or variant, EV400 bad input.';
grant execute on function marketing.fn_record_asset(uuid, text, text, text, bigint, int, int, text, text, boolean, uuid, uuid, uuid, uuid, jsonb)
  to eva_chairman, eva_service;
