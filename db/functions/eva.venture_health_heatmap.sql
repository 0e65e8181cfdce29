-- The health heatmap (spec §11): every venture at a glance on the five
-- dimensions of the Stage 25 venture review. Where the venture has a current
-- venture_review artifact with ventureHealth, that is used as is. Otherwise
-- the dimensions are estimated from the quality scores (0-100) of the
-- venture's current artifacts, averaged per dimension by the stage that made them:
--   product   stages 1, 2, 13, 19, 21    (idea, validation, roadmap, sprint, build review)
--   market    stages 3, 4, 10, 11, 12, 23 (market validation, competition, brand, GTM, pipeline, launch)
--   technical stages 14, 17, 18, 20, 22  (architecture, build readiness, sprint plan, QA, release)
--   financial stages 5, 7, 9, 16, 24     (profitability, revenue, exit, projections, metrics)
--   team      stages 6, 8, 15            (risk, business model, risk register: how the operation is run)
-- A dimension without scored artifacts is null; overall is the rounded mean of
-- the known dimensions and band follows the Stage 25 bands (< 40 critical,
-- < 60 fragile, < 80 viable, else strong).
create or replace view eva.venture_health_heatmap with (security_invoker = true) as
with review as (
  -- At most one per venture: one current version per (venture, stage, type) (venture_artifacts_one_current).
  -- health is null when the review has no ventureHealth object: the venture is then estimated. (Tested in
  -- the select, not the where: a filter on the content would be estimated to leave one row, and the join
  -- planned for one.)
  select a.venture_id, h.health, case when h.health is not null then a.created_at end as created_at
  from eva.venture_artifacts a
  cross join lateral (
    select case when pg_catalog.jsonb_typeof(a.content -> 'ventureHealth') = 'object' then a.content -> 'ventureHealth' end as health
  ) h
  where a.artifact_type = 'venture_review' and a.lifecycle_stage = 25 and a.is_current
),
estimate as (
  select a.venture_id,
    pg_catalog.round(pg_catalog.avg(a.quality_score) filter (where a.lifecycle_stage in (1, 2, 13, 19, 21)))::int as product,
    pg_catalog.round(pg_catalog.avg(a.quality_score) filter (where a.lifecycle_stage in (3, 4, 10, 11, 12, 23)))::int as market,
    pg_catalog.round(pg_catalog.avg(a.quality_score) filter (where a.lifecycle_stage in (14, 17, 18, 20, 22)))::int as technical,
    pg_catalog.round(pg_catalog.avg(a.quality_score) filter (where a.lifecycle_stage in (5, 7, 9, 16, 24)))::int as financial,
    pg_catalog.round(pg_catalog.avg(a.quality_score) filter (where a.lifecycle_stage in (6, 8, 15)))::int as team,
    pg_catalog.max(a.created_at) as assessed_at
  from eva.venture_artifacts a
  where a.is_current and a.quality_score is not null
  group by a.venture_id
),
dims as (
  select v.id, v.name, v.status, v.current_lifecycle_stage,
    case when r.health is not null then 'venture_review' when e.venture_id is not null then 'artifact_quality' end as source,
    coalesce((r.health ->> 'product')::numeric::int, case when r.health is null then e.product end) as product,
    coalesce((r.health ->> 'market')::numeric::int, case when r.health is null then e.market end) as market,
    coalesce((r.health ->> 'technical')::numeric::int, case when r.health is null then e.technical end) as technical,
    coalesce((r.health ->> 'financial')::numeric::int, case when r.health is null then e.financial end) as financial,
    coalesce((r.health ->> 'team')::numeric::int, case when r.health is null then e.team end) as team,
    (r.health ->> 'overall')::numeric::int as review_overall,
    r.health ->> 'band' as review_band,
    coalesce(r.created_at, e.assessed_at) as assessed_at
  from eva.ventures v
  left join review r on r.venture_id = v.id
  left join estimate e on e.venture_id = v.id
),
scored as (
  select d.*,
    coalesce(d.review_overall, pg_catalog.round((
      coalesce(d.product, 0) + coalesce(d.market, 0) + coalesce(d.technical, 0) + coalesce(d.financial, 0) + coalesce(d.team, 0)
    )::numeric / nullif(
      (d.product is not null)::int + (d.market is not null)::int + (d.technical is not null)::int
      + (d.financial is not null)::int + (d.team is not null)::int, 0))::int) as overall
  from dims d
)
select
  s.id as venture_id,
  s.name as venture_name,
  s.status,
  s.current_lifecycle_stage as lifecycle_stage,
  s.product,
  s.market,
  s.technical,
  s.financial,
  s.team,
  s.overall,
  coalesce(s.review_band, case
    when s.overall is null then null
    when s.overall < 40 then 'critical'
    when s.overall < 60 then 'fragile'
    when s.overall < 80 then 'viable'
    else 'strong' end) as band,
  s.source as health_source,
  s.assessed_at
from scored s
order by s.overall nulls first, s.name;

comment on view eva.venture_health_heatmap is
  E'Every venture''s health on five dimensions (0-100): from its current Stage 25 venture review''s ventureHealth, else estimated from the quality scores of its current artifacts by stage '
  '(product 1,2,13,19,21; market 3,4,10,11,12,23; technical 14,17,18,20,22; financial 5,7,9,16,24; team 6,8,15). Weakest first.';
comment on column eva.venture_health_heatmap.venture_id is 'The venture.';
comment on column eva.venture_health_heatmap.venture_name is 'The venture''s name.';
comment on column eva.venture_health_heatmap.status is 'The venture''s status (active, awaiting_decision, paused, killed, sunset, exited).';
comment on column eva.venture_health_heatmap.lifecycle_stage is 'The stage the venture is in (1-25).';
comment on column eva.venture_health_heatmap.product is 'Product health, 0-100; null when unknown.';
comment on column eva.venture_health_heatmap.market is 'Market health, 0-100; null when unknown.';
comment on column eva.venture_health_heatmap.technical is 'Technical health, 0-100; null when unknown.';
comment on column eva.venture_health_heatmap.financial is 'Financial health, 0-100; null when unknown.';
comment on column eva.venture_health_heatmap.team is 'Team (operations) health, 0-100; null when unknown.';
comment on column eva.venture_health_heatmap.overall is 'The review''s overall score, or the rounded mean of the known dimensions; null when none is known.';
comment on column eva.venture_health_heatmap.band is 'critical (< 40), fragile (< 60), viable (< 80) or strong; null when unknown.';
comment on column eva.venture_health_heatmap.health_source is 'venture_review (the Stage 25 assessment), artifact_quality (estimated from artifact quality scores) or null (nothing to go on yet).';
comment on column eva.venture_health_heatmap.assessed_at is 'When the assessment''s newest input was written.';

grant select on eva.venture_health_heatmap to eva_chairman, eva_service, eva_viewer;
