-- Everything the content generator and the brand review read, in one round
-- trip: the content item, the venture (its idea and current stage), the
-- current brand (Stage 10), GTM plan (Stage 11) and sales funnel (Stage 12)
-- with their epistemic labels, the venture's platform accounts, prior
-- performance (the marketing rollups of the last 30 days when that table
-- exists; null means unknown), the current generation's variants, the last
-- review's feedback and the token budget left.
create or replace function eva_private.fn_marketing_content_context(p_content_id uuid)
returns jsonb
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row marketing.marketing_content;
  v_venture eva.ventures;
  v_performance jsonb;
  v_budget record;
begin
  select * into v_row from marketing.marketing_content c where c.id = p_content_id;
  if not found then
    return null;
  end if;
  select * into v_venture from eva.ventures v where v.id = v_row.venture_id;
  if pg_catalog.to_regclass('marketing.marketing_daily_rollups') is not null then
    -- Read by name, as the spec (§17.9) shapes the rollups: a shape this query does not know reads as unknown.
    begin
      execute $q$
      select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('platform', r.platform, 'impressions', r.impressions,
               'engagements', r.engagements, 'clicks', r.clicks, 'conversions', r.conversions) order by r.platform)
      from (select platform, sum(impressions)::bigint as impressions, sum(engagements)::bigint as engagements,
                   sum(clicks)::bigint as clicks, sum(conversions)::bigint as conversions
            from marketing.marketing_daily_rollups
            where venture_id = $1 and rollup_date >= (pg_catalog.now() - interval '30 days')::date
            group by platform) r $q$
    into v_performance using v_row.venture_id;
    exception when undefined_column or undefined_table or datatype_mismatch or insufficient_privilege then
      v_performance := null;
    end;
  end if;
  select * into v_budget from eva.fn_token_budget_remaining(v_row.venture_id, v_venture.current_lifecycle_stage);
  return pg_catalog.jsonb_build_object(
    'content', pg_catalog.to_jsonb(v_row),
    'venture', pg_catalog.jsonb_build_object('id', v_venture.id, 'name', v_venture.name, 'archetype', v_venture.archetype,
      'description', v_venture.description, 'problemStatement', v_venture.problem_statement,
      'valueProp', v_venture.value_prop, 'targetMarket', v_venture.target_market,
      'keyAssumptions', pg_catalog.to_jsonb(v_venture.key_assumptions), 'stage', v_venture.current_lifecycle_stage,
      'status', v_venture.status),
    'artifacts', coalesce((
      select pg_catalog.jsonb_object_agg(a.artifact_type, pg_catalog.jsonb_build_object('stage', a.lifecycle_stage,
        'version', a.version, 'epistemic', a.epistemic_classification, 'content', a.content))
      from eva.venture_artifacts a
      where a.venture_id = v_row.venture_id and a.is_current
        and a.artifact_type in ('brand_package', 'gtm_strategy', 'sales_pipeline')), '{}'::jsonb),
    'accounts', coalesce((
      select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('platform', p.platform, 'handle', p.handle,
        'enabled', p.enabled) order by p.platform)
      from marketing.marketing_platform_accounts p where p.venture_id = v_row.venture_id), '[]'::jsonb),
    'distribution', coalesce((select s.distribution from marketing.marketing_venture_state s
      where s.venture_id = v_row.venture_id), 'none'),
    'performance', v_performance,
    'variants', coalesce((
      select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('id', cv.id, 'variantKey', cv.variant_key,
        'platform', cv.platform, 'headline', cv.headline, 'body', cv.body, 'cta', cv.cta,
        'visualBrief', cv.visual_brief, 'assetText', cv.asset_text, 'metadata', cv.metadata)
        order by cv.platform, cv.variant_key)
      from marketing.marketing_content_variants cv
      where cv.content_id = v_row.id and cv.generation = v_row.generation), '[]'::jsonb),
    'feedback', coalesce(v_row.metadata -> 'review_feedback', '[]'::jsonb),
    'maxReviewLoops', coalesce((select (s.value #>> '{}')::int from eva_private.settings s
      where s.key = 'marketing.max_review_loops'), 3),
    'budget', pg_catalog.jsonb_build_object('ventureRemaining', v_budget.venture_remaining,
      'phaseRemaining', v_budget.phase_remaining, 'phase', v_budget.phase_number));
end;
$$;
comment on function eva_private.fn_marketing_content_context(uuid) is
  'The content generator''s and brand review''s context for a content item (null when it does not exist): venture, Stage 10/11/12 artifacts, accounts, prior performance (null = unknown), current variants, review feedback, token budget.';
grant execute on function eva_private.fn_marketing_content_context(uuid) to eva_service;
