-- Up Migration

-- Stage 0's evaluation profiles (spec §16): the nine weights that turn the
-- synthesis components' scores into one weighted score, and the gate
-- thresholds per boundary that override the legacy defaults. Profiles are
-- versioned by name (a change is a new version, never an edit) and at most one
-- is active; with none, src/ideation/profiles.ts falls back to the legacy weights.
create table eva.evaluation_profiles (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(name) between 1 and 100 and name = btrim(name)),
  version int not null check (version >= 1),
  description text check (description is null or char_length(description) <= 2000),
  weight_cross_reference numeric(5, 4) not null check (weight_cross_reference between 0 and 1),
  weight_portfolio_evaluation numeric(5, 4) not null check (weight_portfolio_evaluation between 0 and 1),
  weight_problem_reframing numeric(5, 4) not null check (weight_problem_reframing between 0 and 1),
  weight_moat_architecture numeric(5, 4) not null check (weight_moat_architecture between 0 and 1),
  weight_chairman_constraints numeric(5, 4) not null check (weight_chairman_constraints between 0 and 1),
  weight_time_horizon numeric(5, 4) not null check (weight_time_horizon between 0 and 1),
  weight_archetypes numeric(5, 4) not null check (weight_archetypes between 0 and 1),
  weight_build_cost numeric(5, 4) not null check (weight_build_cost between 0 and 1),
  weight_virality numeric(5, 4) not null check (weight_virality between 0 and 1),
  -- {"5->6": 70, …}: a boundary's minimum score (0-100); a boundary left out keeps the legacy default.
  gate_thresholds jsonb not null default '{}'::jsonb check (
    pg_catalog.jsonb_typeof(gate_thresholds) = 'object'
    and (gate_thresholds - '{5->6,9->10,12->13,16->17,20->21}'::text[]) = '{}'::jsonb),
  is_active boolean not null default false,
  created_at timestamptz not null default now(),
  activated_at timestamptz,
  unique (name, version),
  constraint evaluation_profiles_weights_sum_to_one check (abs(
    weight_cross_reference + weight_portfolio_evaluation + weight_problem_reframing + weight_moat_architecture
    + weight_chairman_constraints + weight_time_horizon + weight_archetypes + weight_build_cost + weight_virality
    - 1) < 0.0005)
);
comment on table eva.evaluation_profiles is
  'Stage 0 evaluation profiles: nine synthesis weights (summing to 1) and gate thresholds per boundary, versioned by name; at most one active.';
-- "Exactly one active" is the database's rule, not the code's.
create unique index evaluation_profiles_one_active on eva.evaluation_profiles ((true)) where is_active;

-- Down Migration
drop table eva.evaluation_profiles;
