-- Writes a retired venture's post-mortem to the portfolio knowledge base:
-- its row in eva.venture_retrospectives and the retirement pattern
-- (retired:<how>:<source>) at its stage of death in eva.portfolio_patterns,
-- counted once per venture, and the call's tokens (p_provenance.usage)
-- charged to the venture in the same transaction. A second call for the saga
-- returns quietly (nothing charged twice).
create or replace function eva_private.fn_record_retrospective(
  p_saga_id uuid,
  p_analysis jsonb,
  p_epistemic eva.epistemic_classification,
  p_provenance jsonb
)
returns eva.venture_retrospectives
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_saga eva.eva_sagas;
  v_row eva.venture_retrospectives;
  v_facts jsonb := eva_private.fn_retirement_facts(p_saga_id);
  v_signature text;
  v_stage int;
begin
  select * into v_row from eva.venture_retrospectives where saga_id = p_saga_id;
  if found then
    return v_row;
  end if;
  select * into v_saga from eva.eva_sagas where id = p_saga_id;
  if not found then
    raise exception 'saga % does not exist', p_saga_id using errcode = 'EV404';
  end if;
  v_stage := greatest(1, least(25, coalesce((v_facts ->> 'stageOfDeath')::int, 1)));
  v_signature := 'retired:' || coalesce(v_facts ->> 'endedAs', 'ended') || ':' || coalesce(v_facts ->> 'killSource', 'unknown');
  insert into eva.venture_retrospectives (saga_id, venture_id, stage_of_death, ended_as, kill_reason, gate_signals,
    analysis, epistemic_classification, provenance, pattern_signature)
  values (p_saga_id, v_saga.venture_id, v_stage, v_facts ->> 'endedAs', v_facts ->> 'reason',
    coalesce(v_facts -> 'gateSignals', '[]'::jsonb), p_analysis, p_epistemic, coalesce(p_provenance, '{}'::jsonb),
    v_signature)
  returning * into v_row;
  if coalesce((p_provenance #>> '{usage,promptTokens}')::int, 0) + coalesce((p_provenance #>> '{usage,completionTokens}')::int, 0) > 0 then
    perform eva.fn_charge_tokens(v_saga.venture_id, v_stage, null, 'retrospective',
      (p_provenance #>> '{usage,promptTokens}')::int, (p_provenance #>> '{usage,completionTokens}')::int,
      coalesce((p_provenance #>> '{usage,estimated}')::boolean, false), p_provenance - 'usage');
  end if;
  perform eva_private.fn_log_event('knowledge.retrospective', v_saga.venture_id, pg_catalog.jsonb_build_object(
    'saga_id', p_saga_id, 'stage_of_death', v_stage, 'pattern', v_signature, 'epistemic', p_epistemic));
  -- Last: every venture retired the same way at the same stage counts on this one row, locked until commit.
  insert into eva.portfolio_patterns as pp (lifecycle_stage, pattern_signature, first_venture_id)
  values (v_stage, v_signature, v_saga.venture_id)
  on conflict (lifecycle_stage, pattern_signature) do update
    set ventures_seen = pp.ventures_seen + 1, last_seen_at = pg_catalog.now();
  return v_row;
end;
$$;
comment on function eva_private.fn_record_retrospective(uuid, jsonb, eva.epistemic_classification, jsonb) is
  'Writes a retirement post-mortem (venture_retrospectives) and counts its pattern at the stage of death in portfolio_patterns; once per saga.';
grant execute on function eva_private.fn_record_retrospective(uuid, jsonb, eva.epistemic_classification, jsonb) to eva_service;
