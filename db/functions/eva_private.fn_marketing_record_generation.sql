-- The generator's result, in one transaction: the new generation of
-- variants, the tokens charged to the venture (purpose content), the
-- generation's provenance and epistemic label on the content, and the move
-- GENERATE → REVIEW (which queues the review). A late duplicate (the content
-- already moved on) is refused with EV409 and writes nothing.
create or replace function eva_private.fn_marketing_record_generation(
  p_content_id uuid,
  p_variants jsonb,
  p_concept_tags text[],
  p_charge jsonb,
  p_generation jsonb
)
returns marketing.marketing_content
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row marketing.marketing_content;
  v_stage int;
  v_generation int;
  v_count int;
begin
  select * into v_row from marketing.marketing_content c where c.id = p_content_id for update;
  if not found then
    raise exception 'no marketing content %', p_content_id using errcode = 'EV404';
  end if;
  if v_row.lifecycle_state <> 'GENERATE' or v_row.status <> 'active' then
    raise exception 'content % is % (%), not GENERATE: its variants are not recorded', p_content_id,
      v_row.lifecycle_state, v_row.status using errcode = 'EV409';
  end if;
  if pg_catalog.jsonb_typeof(p_variants) is distinct from 'array' or pg_catalog.jsonb_array_length(p_variants) = 0 then
    raise exception 'a generation has at least one variant' using errcode = 'EV400';
  end if;
  v_generation := v_row.generation + 1;

  insert into marketing.marketing_content_variants (content_id, venture_id, generation, variant_key, platform, headline,
    body, cta, visual_brief, asset_text, metadata)
  select v_row.id, v_row.venture_id, v_generation, x.variant_key, x.platform, x.headline, x.body, x.cta, x.visual_brief,
    x.asset_text, coalesce(x.metadata, '{}'::jsonb)
  from pg_catalog.jsonb_to_recordset(p_variants)
    as x(variant_key text, platform text, headline text, body text, cta text, visual_brief text, asset_text text, metadata jsonb);
  get diagnostics v_count = row_count;

  select v.current_lifecycle_stage into v_stage from eva.ventures v where v.id = v_row.venture_id;
  if p_charge is not null and coalesce((p_charge ->> 'promptTokens')::int, 0) + coalesce((p_charge ->> 'completionTokens')::int, 0) > 0 then
    perform eva.fn_charge_tokens(v_row.venture_id, v_stage, null, 'content', (p_charge ->> 'promptTokens')::int,
      (p_charge ->> 'completionTokens')::int, coalesce((p_charge ->> 'estimated')::boolean, false),
      coalesce(p_charge -> 'provenance', '{}'::jsonb) || pg_catalog.jsonb_build_object('content_id', v_row.id, 'step', 'generate'));
  end if;

  perform pg_catalog.set_config('marketing.transitioning', v_row.id::text, true);
  update marketing.marketing_content c set
    generation = v_generation,
    -- The requested tags stay; the generator's are added after them.
    concept_tags = c.concept_tags || array(select distinct t from pg_catalog.unnest(coalesce(p_concept_tags, '{}')) t
      where not (t = any (c.concept_tags)) order by t),
    metadata = c.metadata || pg_catalog.jsonb_build_object('generation', coalesce(p_generation, '{}'::jsonb))
  where c.id = v_row.id;
  perform pg_catalog.set_config('marketing.transitioning', '', true);

  return marketing.fn_content_transition(v_row.id, 'REVIEW',
    pg_catalog.jsonb_build_object('generation', v_generation, 'variants', v_count,
      'epistemic_classification', p_generation -> 'epistemic_classification'));
end;
$$;
comment on function eva_private.fn_marketing_record_generation(uuid, jsonb, text[], jsonb, jsonb) is
  'Records a content item''s new generation of variants, charges its tokens to the venture and moves it GENERATE → REVIEW (EV409 when it is not in GENERATE).';
grant execute on function eva_private.fn_marketing_record_generation(uuid, jsonb, text[], jsonb, jsonb) to eva_service;
