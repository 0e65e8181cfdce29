-- A venture is born at Stage 1 with its Draft Idea (spec §8.1) as the first
-- artifact and Stage 1's work ready, in one transaction.
create or replace function eva.fn_create_venture(
  p_name text,
  p_description text,
  p_problem_statement text,
  p_value_prop text,
  p_target_market text,
  p_archetype eva.venture_archetype,
  p_key_assumptions text[] default '{}',
  p_success_criteria text[] default '{}',
  p_moat_strategy text default null,
  p_company_id uuid default null,
  p_source text default 'user'
)
returns eva.ventures
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_venture eva.ventures;
  v_work eva.venture_stage_work;
  v_content jsonb;
begin
  if p_source not in ('stage0', 'user', 'ai_refine') then
    raise exception 'source must be stage0, user or ai_refine, not "%"', p_source using errcode = 'EV400';
  end if;
  if exists (select 1 from eva.ventures v where pg_catalog.lower(v.name) = pg_catalog.lower(p_name)) then
    raise exception 'a venture named "%" already exists', p_name using errcode = 'EV409',
      hint = 'Venture names are unique (case-insensitive); choose another name.';
  end if;

  perform pg_catalog.set_config('eva.change_reason', 'venture created at stage 1', true);
  insert into eva.ventures (name, description, problem_statement, value_prop, target_market, archetype,
    key_assumptions, success_criteria, moat_strategy, company_id)
  values (p_name, p_description, p_problem_statement, p_value_prop, p_target_market, p_archetype,
    coalesce(p_key_assumptions, '{}'), coalesce(p_success_criteria, '{}'), p_moat_strategy, p_company_id)
  returning * into v_venture;
  perform pg_catalog.set_config('eva.change_reason', '', true);

  -- Every venture starts with the default token budget, split across the phases.
  insert into eva.venture_token_budgets (venture_id, budget_tokens)
  select v_venture.id, (s.value #>> '{}')::bigint from eva_private.settings s where s.key = 'budget.venture_tokens';
  insert into eva.venture_phase_budgets (venture_id, phase_number, budget_tokens)
  select v_venture.id, p.id, pg_catalog.floor(b.budget_tokens * (share.value #>> array[p.id::text])::numeric)::bigint
  from eva.lifecycle_phases p
  cross join eva.venture_token_budgets b
  cross join eva_private.settings share
  where b.venture_id = v_venture.id and share.key = 'budget.phase_share';

  insert into eva.venture_stage_work (venture_id, lifecycle_stage, run_number, status)
  values (v_venture.id, 1, 1, 'ready')
  returning * into v_work;

  v_content := pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
    'name', p_name,
    'description', p_description,
    'problemStatement', p_problem_statement,
    'valueProp', p_value_prop,
    'targetMarket', p_target_market,
    'archetype', p_archetype,
    'keyAssumptions', pg_catalog.to_jsonb(coalesce(p_key_assumptions, '{}')),
    'successCriteria', pg_catalog.to_jsonb(coalesce(p_success_criteria, '{}')),
    'moatStrategy', p_moat_strategy,
    'sourceProvenance', (
      select pg_catalog.jsonb_object_agg(f, p_source)
      from pg_catalog.unnest(array['description', 'problemStatement', 'valueProp', 'targetMarket', 'archetype',
        'keyAssumptions', 'successCriteria', 'moatStrategy']) f
      where f <> 'moatStrategy' or p_moat_strategy is not null)));

  -- The idea is what its author believes: an assumption until the stages test it.
  insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, validation_status,
    epistemic_classification, epistemic_evidence, provenance, stage_work_id)
  values (v_venture.id, 1, 'idea_brief', v_content, 'validated', 'assumption',
    pg_catalog.jsonb_build_object('source', p_source),
    pg_catalog.jsonb_build_object('source', p_source, 'actor', eva_private.fn_caller_role()),
    v_work.id);

  return v_venture;
end;
$$;
comment on function eva.fn_create_venture(text, text, text, text, text, eva.venture_archetype, text[], text[], text, uuid, text) is
  'Creates a venture at Stage 1 with its Draft Idea artifact (version 1), its default token budgets and Stage 1 work ready. Input rules are the Stage 1 schema''s (spec §8.1); a duplicate name is refused (EV409).';
grant execute on function eva.fn_create_venture(text, text, text, text, text, eva.venture_archetype, text[], text[], text, uuid, text) to eva_chairman;
