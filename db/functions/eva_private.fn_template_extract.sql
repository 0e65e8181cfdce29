-- Venture templates (spec §10, Decision #29): when a venture reaches Stage 25
-- with continue or exit, what it settled on becomes a template for the next
-- ventures of its domain: the kill-gate figures and thresholds it passed
-- (Stages 3, 5), its architecture (14), pricing (7), GTM channel weights
-- (11, with Stage 24's market learnings) and the DFE thresholds in force.
-- One template per source venture: a later decision refreshes it.
create or replace function eva_private.fn_template_extract(p_venture_id uuid, p_decision text)
returns eva.venture_templates
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_venture eva.ventures;
  v_template eva.venture_templates;
  v_art jsonb;
  v_prefs jsonb;
  v_total numeric;
begin
  select * into v_venture from eva.ventures where id = p_venture_id;
  if v_venture.id is null then
    raise exception 'venture % does not exist', p_venture_id using errcode = 'EV404';
  end if;
  if p_decision not in ('continue', 'exit') then
    raise exception 'templates come from a Stage 25 continue or exit, not "%"', p_decision using errcode = 'EV400';
  end if;
  select coalesce(pg_catalog.jsonb_object_agg(a.lifecycle_stage::text, a.content), '{}') into v_art
  from eva.venture_artifacts a
  join eva.lifecycle_stage_config s on s.stage_number = a.lifecycle_stage and a.artifact_type = s.produces[1]
  where a.venture_id = p_venture_id and a.is_current and a.lifecycle_stage in (3, 5, 7, 11, 14, 24);
  select coalesce(pg_catalog.jsonb_object_agg(p.key, p.value), '{}') into v_prefs
  from eva.fn_resolve_chairman_preferences(p_venture_id) p;
  select sum(coalesce((c ->> 'budget')::numeric, 0)) into v_total
  from pg_catalog.jsonb_array_elements(coalesce(v_art -> '11' -> 'channels', '[]')) c;

  insert into eva.venture_templates as t (domain, archetype, source_venture_id, source_decision, domain_text,
    scoring_thresholds, architecture_patterns, pricing_defaults, gtm_channel_weights, dfe_thresholds)
  values (
    v_venture.archetype::text || coalesce(':' || nullif(pg_catalog.lower(pg_catalog.btrim(v_venture.vertical_category)), ''), ''),
    v_venture.archetype, v_venture.id, p_decision,
    pg_catalog.concat_ws(' ', v_venture.vertical_category, v_venture.target_market, v_venture.problem_statement,
      v_venture.value_prop, v_venture.description),
    pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
      'stage3', pg_catalog.jsonb_build_object('overallScore', v_art -> '3' -> 'overallScore',
        'rollups', v_art -> '3' -> 'rollups',
        'passThreshold', v_prefs -> 'stage3_pass_threshold', 'killThreshold', v_prefs -> 'stage3_kill_threshold',
        'metricFloor', v_prefs -> 'stage3_metric_floor'),
      'stage5', pg_catalog.jsonb_build_object('ltvCacRatio', v_art -> '5' -> 'unitEconomics' -> 'ltvCacRatio',
        'roi3y', v_art -> '5' -> 'projections' -> 'roi3y', 'breakEvenMonth', v_art -> '5' -> 'projections' -> 'breakEvenMonth',
        'passRoi', v_prefs -> 'stage5_pass_roi', 'killRoi', v_prefs -> 'stage5_kill_roi',
        'passLtvCac', v_prefs -> 'stage5_pass_ltv_cac', 'maxBreakEvenMonth', v_prefs -> 'stage5_max_break_even_month'))),
    pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('techStack', v_art -> '14' -> 'techStack',
      'layers', (select pg_catalog.jsonb_object_agg(l.key, l.value -> 'technologies')
                 from pg_catalog.jsonb_each(case when pg_catalog.jsonb_typeof(v_art -> '14' -> 'layers') = 'object'
                   then v_art -> '14' -> 'layers' else '{}' end) l))),
    pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('pricingModel', v_art -> '7' -> 'pricingModel',
      'priceAnchor', v_art -> '7' -> 'priceAnchor', 'positioning', v_art -> '7' -> 'positioningDecision' -> 'strategy',
      'tiers', (select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('name', t ->> 'name', 'price', t -> 'price',
                  'period', t ->> 'period'))
                from pg_catalog.jsonb_array_elements(coalesce(v_art -> '7' -> 'pricingTiers', '[]')) t))),
    pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
      'channels', (select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('name', c ->> 'name',
                     'channelType', c ->> 'channelType', 'budget', c -> 'budget',
                     'weight', case when v_total > 0 then pg_catalog.round((c ->> 'budget')::numeric / v_total, 4) end)
                     order by (c ->> 'budget')::numeric desc nulls last)
                   from pg_catalog.jsonb_array_elements(coalesce(v_art -> '11' -> 'channels', '[]')) c),
      'byChannelType', v_art -> '11' -> 'budgetSummary' -> 'byChannelType',
      'marketLearnings', (select pg_catalog.jsonb_agg(l ->> 'insight')
                          from pg_catalog.jsonb_array_elements(coalesce(v_art -> '24' -> 'learnings', '[]')) l
                          where l ->> 'category' = 'market'))),
    (select coalesce(pg_catalog.jsonb_object_agg(p.key, p.value), '{}') from eva.fn_resolve_chairman_preferences(p_venture_id) p
     where p.key in ('cost_threshold', 'score_threshold', 'approved_vendors', 'drift_escalation_severity',
       'novel_pattern_min_portfolio')))
  on conflict (source_venture_id) do update
    set source_decision = excluded.source_decision, domain = excluded.domain, domain_text = excluded.domain_text,
        scoring_thresholds = excluded.scoring_thresholds, architecture_patterns = excluded.architecture_patterns,
        pricing_defaults = excluded.pricing_defaults, gtm_channel_weights = excluded.gtm_channel_weights,
        dfe_thresholds = excluded.dfe_thresholds, created_at = pg_catalog.now()
  returning * into v_template;
  perform eva_private.fn_log_event('knowledge.template_extracted', p_venture_id, pg_catalog.jsonb_build_object(
    'template_id', v_template.id, 'domain', v_template.domain, 'decision', p_decision));
  return v_template;
end;
$$;
comment on function eva_private.fn_template_extract(uuid, text) is
  'Extracts (or refreshes) the venture template of a venture that reached Stage 25 with continue or exit: kill-gate figures and thresholds, architecture, pricing, GTM channel weights, DFE thresholds.';
grant execute on function eva_private.fn_template_extract(uuid, text) to eva_service;
