-- The stage-of-death predictor's write (src/intelligence/predictor.ts): one
-- prediction, with the per-stage distribution, the amplifiers and the counts
-- it rests on, kept so it can be scored when the outcome arrives.
create or replace function eva_private.fn_record_death_prediction(p jsonb)
returns uuid
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_id uuid;
begin
  if pg_catalog.jsonb_typeof(p -> 'distribution') is distinct from 'array' then
    raise exception 'a prediction needs its distribution (an array of stages)' using errcode = 'EV400';
  end if;
  insert into eva.stage_of_death_predictions (venture_id, profile_id, profile_name, profile_version, from_stage,
    predicted_stage, death_probability, distribution, amplifiers, basis)
  values ((p ->> 'ventureId')::uuid, (p ->> 'profileId')::uuid, p ->> 'profileName', (p ->> 'profileVersion')::int,
    (p ->> 'fromStage')::int, (p ->> 'predictedStage')::int, (p ->> 'deathProbability')::numeric, p -> 'distribution',
    coalesce(p -> 'amplifiers', '[]'), coalesce(p -> 'basis', '{}'))
  returning id into v_id;
  return v_id;
end;
$$;
comment on function eva_private.fn_record_death_prediction(jsonb) is
  'Stores a stage-of-death prediction (venture, profile, from stage, likeliest stage, per-stage distribution, amplifiers, basis) and returns its id.';
grant execute on function eva_private.fn_record_death_prediction(jsonb) to eva_service;
