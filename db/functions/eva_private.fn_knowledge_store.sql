-- One write of the knowledge base (spec §10): the extractor
-- (src/intelligence/knowledge.ts) recomputes calibration, successful
-- patterns, anti-patterns and mortality curves from the whole portfolio, and
-- they replace the previous ones in one transaction, so a reader never sees
-- half of a sync. Logs knowledge.synced with the counts.
create or replace function eva_private.fn_knowledge_store(p_knowledge jsonb)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_counts jsonb;
begin
  if pg_catalog.jsonb_typeof(p_knowledge -> 'curves') is distinct from 'array' then
    raise exception 'knowledge needs curves, calibration, successPatterns and antiPatterns arrays' using errcode = 'EV400';
  end if;
  delete from eva.portfolio_calibration where true;
  insert into eva.portfolio_calibration (lifecycle_stage, metric, band, band_low, band_high, ventures, passed_gate,
    died_later, launched, pending, mean_value, pass_rate, death_rate)
  select c."stage", c.metric, c.band, c."bandLow", c."bandHigh", c.ventures, c."passedGate", c."diedLater",
    c.launched, c.pending, c."meanValue", c."passRate", c."deathRate"
  from pg_catalog.jsonb_to_recordset(coalesce(p_knowledge -> 'calibration', '[]')) as c("stage" int, metric text,
    band text, "bandLow" numeric, "bandHigh" numeric, ventures int, "passedGate" int, "diedLater" int, launched int,
    pending int, "meanValue" numeric, "passRate" numeric, "deathRate" numeric);

  delete from eva.portfolio_success_patterns where true;
  insert into eva.portfolio_success_patterns (lifecycle_stage, pattern_signature, source, ventures, died, succeeded,
    rate, baseline, lift, evidence)
  select p."stage", pg_catalog.left(p.signature, 300), p.source, p.ventures, p.died, p.succeeded, p.rate, p.baseline,
    p.lift, coalesce(p.evidence, '{}')
  from pg_catalog.jsonb_to_recordset(coalesce(p_knowledge -> 'successPatterns', '[]')) as p("stage" int,
    signature text, source text, ventures int, died int, succeeded int, rate numeric, baseline numeric, lift numeric,
    evidence jsonb);

  delete from eva.portfolio_anti_patterns where true;
  insert into eva.portfolio_anti_patterns (lifecycle_stage, pattern_signature, source, ventures, died, succeeded,
    rate, baseline, lift, evidence)
  select p."stage", pg_catalog.left(p.signature, 300), p.source, p.ventures, p.died, p.succeeded, p.rate, p.baseline,
    p.lift, coalesce(p.evidence, '{}')
  from pg_catalog.jsonb_to_recordset(coalesce(p_knowledge -> 'antiPatterns', '[]')) as p("stage" int,
    signature text, source text, ventures int, died int, succeeded int, rate numeric, baseline numeric, lift numeric,
    evidence jsonb);

  delete from eva.stage_mortality_curves where true;
  insert into eva.stage_mortality_curves (segment, lifecycle_stage, exposed, died, prior_hazard, hazard, basis)
  select c.segment, c."stage", c.exposed, c.died, c."priorHazard", c.hazard, c.basis
  from pg_catalog.jsonb_to_recordset(p_knowledge -> 'curves') as c(segment text, "stage" int, exposed int, died int,
    "priorHazard" numeric, hazard numeric, basis text);

  v_counts := pg_catalog.jsonb_build_object(
    'ventures', coalesce((p_knowledge ->> 'ventures')::int, 0),
    'calibration', (select pg_catalog.count(*) from eva.portfolio_calibration),
    'successPatterns', (select pg_catalog.count(*) from eva.portfolio_success_patterns),
    'antiPatterns', (select pg_catalog.count(*) from eva.portfolio_anti_patterns),
    'curvePoints', (select pg_catalog.count(*) from eva.stage_mortality_curves));
  perform eva_private.fn_log_event('knowledge.synced', null, v_counts);
  return v_counts;
end;
$$;
comment on function eva_private.fn_knowledge_store(jsonb) is
  'Replaces the knowledge base (calibration, successful patterns, anti-patterns, mortality curves) with a fresh extraction, in one transaction; logs knowledge.synced.';
grant execute on function eva_private.fn_knowledge_store(jsonb) to eva_service;
