-- The counterfactual engine's write (src/intelligence/counterfactual.ts): one
-- batch run (N ventures × P profiles), each profile's tau-b against the real
-- outcomes, and every re-score, in one transaction. llm_calls is 0: the
-- engine re-weighs recorded component scores and calls no model.
create or replace function eva_private.fn_record_counterfactual(p jsonb)
returns uuid
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_id uuid;
begin
  if pg_catalog.jsonb_typeof(p -> 'profiles') is distinct from 'array' then
    raise exception 'a counterfactual run needs its profiles' using errcode = 'EV400';
  end if;
  insert into eva.counterfactual_runs (ventures, profiles, accuracy, llm_calls)
  values (coalesce((p ->> 'ventures')::int, 0),
    (select coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('key', a ->> 'profileKey', 'name', a ->> 'profileName',
      'version', (a ->> 'profileVersion')::int, 'id', a ->> 'profileId')), '[]')
     from pg_catalog.jsonb_array_elements(p -> 'profiles') a),
    (select coalesce(pg_catalog.jsonb_object_agg(a ->> 'profileKey', pg_catalog.jsonb_build_object('tauB', a -> 'tauB',
      'resolved', a -> 'resolved', 'scored', a -> 'scored')), '{}')
     from pg_catalog.jsonb_array_elements(p -> 'profiles') a),
    coalesce((p ->> 'llmCalls')::int, 0))
  returning id into v_id;
  insert into eva.counterfactual_scores (run_id, venture_id, profile_key, profile_id, profile_version, score,
    actual_score, outcome_rank, outcome)
  select v_id, s."ventureId", s."profileKey", a."profileId", a."profileVersion", s.score, s."recordedScore",
    s."outcomeRank", s.outcome
  from pg_catalog.jsonb_to_recordset(coalesce(p -> 'scores', '[]')) as s("ventureId" uuid, "profileKey" text,
    score numeric, "recordedScore" numeric, "outcomeRank" numeric, outcome text)
  left join pg_catalog.jsonb_to_recordset(p -> 'profiles') as a("profileKey" text, "profileId" uuid, "profileVersion" int)
    on a."profileKey" = s."profileKey";
  return v_id;
end;
$$;
comment on function eva_private.fn_record_counterfactual(jsonb) is
  'Stores a counterfactual batch run: per profile its Kendall tau-b against real outcomes, and every venture''s re-score under it (no model call: llm_calls 0).';
grant execute on function eva_private.fn_record_counterfactual(jsonb) to eva_service;
