-- The gate signal service's write (src/intelligence/signals.ts): per venture,
-- tracked boundary and evaluation profile, the survival probability to the
-- boundary, the profile's score against its threshold and the outcome so
-- far. One row per venture, boundary and profile, brought up to date.
create or replace function eva_private.fn_record_gate_signals(p_signals jsonb)
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_count int;
begin
  insert into eva.evaluation_profile_outcomes as o (venture_id, boundary, profile_key, profile_id, profile_version,
    survival_probability, score, threshold, signal, outcome, basis, recorded_at)
  select s."ventureId", s.boundary, s."profileKey", s."profileId", s."profileVersion", s."survivalProbability",
    s.score, s.threshold, s.signal, s.outcome, coalesce(s.basis, '{}'), pg_catalog.now()
  from pg_catalog.jsonb_to_recordset(coalesce(p_signals, '[]')) as s("ventureId" uuid, boundary text,
    "profileKey" text, "profileId" uuid, "profileVersion" int, "survivalProbability" numeric, score numeric,
    threshold numeric, signal text, outcome text, basis jsonb)
  on conflict (venture_id, boundary, profile_key) do update
    set survival_probability = excluded.survival_probability, score = excluded.score, threshold = excluded.threshold,
        signal = excluded.signal, outcome = excluded.outcome, basis = excluded.basis, profile_id = excluded.profile_id,
        profile_version = excluded.profile_version, recorded_at = excluded.recorded_at
    -- A settled outcome is history: it is not rewritten.
    where o.outcome = 'pending';
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;
comment on function eva_private.fn_record_gate_signals(jsonb) is
  'Records gate signals (venture × tracked boundary × profile: survival probability, score vs threshold, outcome); a signal whose outcome is settled is kept as it was.';
grant execute on function eva_private.fn_record_gate_signals(jsonb) to eva_service;
