-- How well the stage-of-death predictor has done, per stage: over every
-- scored prediction, the mean predicted hazard beside the share that died
-- there, the mean Brier score and the mean log loss (lower is better).
create or replace view eva.stage_of_death_calibration with (security_invoker = true) as
select s.lifecycle_stage as stage,
  pg_catalog.count(*) as scored,
  pg_catalog.count(*) filter (where s.died) as deaths,
  pg_catalog.round(pg_catalog.avg(s.hazard), 4) as mean_hazard,
  pg_catalog.round(pg_catalog.count(*) filter (where s.died)::numeric / pg_catalog.count(*), 4) as death_rate,
  pg_catalog.round(pg_catalog.avg(s.brier), 4) as brier,
  pg_catalog.round(pg_catalog.avg(s.log_loss), 4) as log_loss
from eva.stage_of_death_prediction_scores s
group by s.lifecycle_stage
order by s.lifecycle_stage;
comment on view eva.stage_of_death_calibration is
  'Stage-of-death predictor calibration per stage: predictions scored, deaths, mean predicted hazard, observed death rate, mean Brier score and log loss.';
grant select on eva.stage_of_death_calibration to eva_chairman, eva_service, eva_viewer;
