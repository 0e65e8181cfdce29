-- Calibration of the stage-of-death predictor as outcomes arrive: the scores
-- of the stages each open prediction's venture has now got past or died at
-- (once per prediction and stage), and the predictions whose venture died
-- or succeeded marked resolved.
create or replace function eva_private.fn_score_death_predictions(p jsonb)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_scored int;
  v_resolved int;
begin
  insert into eva.stage_of_death_prediction_scores (prediction_id, lifecycle_stage, hazard, died, brier, log_loss)
  select s."predictionId", s."stage", s.hazard, s.died, s.brier, s."logLoss"
  from pg_catalog.jsonb_to_recordset(coalesce(p -> 'scores', '[]')) as s("predictionId" uuid, "stage" int,
    hazard numeric, died boolean, brier numeric, "logLoss" numeric)
  on conflict (prediction_id, lifecycle_stage) do nothing;
  get diagnostics v_scored = row_count;
  update eva.stage_of_death_predictions sp
  set outcome = r.outcome, outcome_stage = r."stage", resolved_at = pg_catalog.now()
  from pg_catalog.jsonb_to_recordset(coalesce(p -> 'resolutions', '[]')) as r("predictionId" uuid, outcome text, "stage" int)
  where sp.id = r."predictionId" and sp.resolved_at is null;
  get diagnostics v_resolved = row_count;
  return pg_catalog.jsonb_build_object('scored', v_scored, 'resolved', v_resolved);
end;
$$;
comment on function eva_private.fn_score_death_predictions(jsonb) is
  'Records per-stage Brier scores and log losses of open stage-of-death predictions (once per prediction and stage) and resolves those whose venture died or succeeded.';
grant execute on function eva_private.fn_score_death_predictions(jsonb) to eva_service;
