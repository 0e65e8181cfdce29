-- A new version of an evaluation profile (spec §16): versions are numbered per
-- name, so changing a profile's weights never rewrites what earlier briefs
-- were scored with. The weights are a JSON object of the nine components; the
-- gate thresholds one of boundary → minimum score. With p_activate the new
-- version becomes the active profile in the same transaction.
create or replace function eva.fn_create_evaluation_profile(
  p_name text,
  p_weights jsonb,
  p_gate_thresholds jsonb default '{}'::jsonb,
  p_description text default null,
  p_activate boolean default false
)
returns eva.evaluation_profiles
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_components constant text[] := array['cross_reference', 'portfolio_evaluation', 'problem_reframing',
    'moat_architecture', 'chairman_constraints', 'time_horizon', 'archetypes', 'build_cost', 'virality'];
  v_boundaries constant text[] := array['5->6', '9->10', '12->13', '16->17', '20->21'];
  v_key text;
  v_value jsonb;
  v_sum numeric := 0;
  v_row eva.evaluation_profiles;
begin
  if p_name is null or pg_catalog.btrim(p_name) = '' or pg_catalog.char_length(p_name) > 100 then
    raise exception 'name: a profile needs a name of 1-100 characters' using errcode = 'EV400';
  end if;
  if p_weights is null or pg_catalog.jsonb_typeof(p_weights) <> 'object' then
    raise exception 'weights: a JSON object of the nine components (%)', pg_catalog.array_to_string(v_components, ', ')
      using errcode = 'EV400';
  end if;
  for v_key in select pg_catalog.jsonb_object_keys(p_weights) loop
    if not (v_key = any (v_components)) then
      raise exception 'weights: "%" is not a component (the nine are %)', v_key,
        pg_catalog.array_to_string(v_components, ', ') using errcode = 'EV400';
    end if;
  end loop;
  foreach v_key in array v_components loop
    v_value := p_weights -> v_key;
    if v_value is null or pg_catalog.jsonb_typeof(v_value) <> 'number'
       or (v_value #>> '{}')::numeric < 0 or (v_value #>> '{}')::numeric > 1 then
      raise exception 'weights: % needs a weight between 0 and 1', v_key using errcode = 'EV400';
    end if;
    v_sum := v_sum + (v_value #>> '{}')::numeric;
  end loop;
  if abs(v_sum - 1) >= 0.0005 then
    raise exception 'weights: the nine weights sum to %, not 1', pg_catalog.round(v_sum, 4) using errcode = 'EV400';
  end if;
  p_gate_thresholds := coalesce(p_gate_thresholds, '{}'::jsonb);
  if pg_catalog.jsonb_typeof(p_gate_thresholds) <> 'object' then
    raise exception 'gate thresholds: a JSON object of boundary → minimum score' using errcode = 'EV400';
  end if;
  for v_key, v_value in select * from pg_catalog.jsonb_each(p_gate_thresholds) loop
    if not (v_key = any (v_boundaries)) then
      raise exception 'gate thresholds: "%" is not a tracked boundary (%)', v_key,
        pg_catalog.array_to_string(v_boundaries, ', ') using errcode = 'EV400';
    end if;
    if pg_catalog.jsonb_typeof(v_value) <> 'number' or (v_value #>> '{}')::numeric < 0
       or (v_value #>> '{}')::numeric > 100 then
      raise exception 'gate thresholds: % needs a minimum score between 0 and 100', v_key using errcode = 'EV400';
    end if;
  end loop;

  -- One writer per name at a time, so two new versions cannot take the same number.
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('eva.evaluation_profiles:' || p_name));
  insert into eva.evaluation_profiles (name, version, description, weight_cross_reference,
    weight_portfolio_evaluation, weight_problem_reframing, weight_moat_architecture, weight_chairman_constraints,
    weight_time_horizon, weight_archetypes, weight_build_cost, weight_virality, gate_thresholds)
  select p_name,
    coalesce((select max(e.version) from eva.evaluation_profiles e where e.name = p_name), 0) + 1,
    nullif(pg_catalog.btrim(p_description), ''),
    (p_weights ->> 'cross_reference')::numeric, (p_weights ->> 'portfolio_evaluation')::numeric,
    (p_weights ->> 'problem_reframing')::numeric, (p_weights ->> 'moat_architecture')::numeric,
    (p_weights ->> 'chairman_constraints')::numeric, (p_weights ->> 'time_horizon')::numeric,
    (p_weights ->> 'archetypes')::numeric, (p_weights ->> 'build_cost')::numeric,
    (p_weights ->> 'virality')::numeric, p_gate_thresholds
  returning * into v_row;
  perform eva_private.fn_log_event('evaluation_profile.created', null, pg_catalog.jsonb_build_object(
    'profileId', v_row.id, 'name', v_row.name, 'version', v_row.version));
  if coalesce(p_activate, false) then
    v_row := eva.fn_activate_evaluation_profile(v_row.id);
  end if;
  return v_row;
end;
$$;
comment on function eva.fn_create_evaluation_profile(text, jsonb, jsonb, text, boolean) is
  'Creates the next version of an evaluation profile (nine weights summing to 1, gate thresholds per boundary); optionally activates it.';
grant execute on function eva.fn_create_evaluation_profile(text, jsonb, jsonb, text, boolean) to eva_chairman;
