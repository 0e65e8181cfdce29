-- Every LLM call's tokens are charged to the venture and to the phase of the
-- stage, with a ledger row carrying the call's provenance. Called in the same
-- transaction that records the stage's result, so a crashed job charges nothing twice.
create or replace function eva.fn_charge_tokens(
  p_venture_id uuid,
  p_stage int,
  p_stage_work_id uuid,
  p_purpose text,
  p_prompt_tokens int,
  p_completion_tokens int,
  p_estimated boolean,
  p_provenance jsonb
)
returns table (venture_remaining bigint, phase_remaining bigint, phase_number int)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_phase int;
  v_total bigint := coalesce(p_prompt_tokens, 0) + coalesce(p_completion_tokens, 0);
begin
  if p_prompt_tokens < 0 or p_completion_tokens < 0 then
    raise exception 'token counts cannot be negative' using errcode = 'EV400';
  end if;
  select s.phase_number into v_phase from eva.lifecycle_stage_config s where s.stage_number = greatest(p_stage, 1);

  insert into eva.venture_budget_transactions (venture_id, lifecycle_stage, phase_number, stage_work_id, purpose,
    prompt_tokens, completion_tokens, estimated, provenance)
  values (p_venture_id, p_stage, v_phase, p_stage_work_id, p_purpose, p_prompt_tokens, p_completion_tokens,
    coalesce(p_estimated, false), coalesce(p_provenance, '{}'::jsonb));

  update eva.venture_token_budgets b set consumed_tokens = b.consumed_tokens + v_total where b.venture_id = p_venture_id;
  update eva.venture_phase_budgets pb set consumed_tokens = pb.consumed_tokens + v_total
  where pb.venture_id = p_venture_id and pb.phase_number = v_phase;

  return query select * from eva.fn_token_budget_remaining(p_venture_id, p_stage);
end;
$$;
comment on function eva.fn_charge_tokens(uuid, int, uuid, text, int, int, boolean, jsonb) is
  'Charges an LLM call''s tokens to the venture and its phase budget, writes the ledger row, and returns what is left.';
grant execute on function eva.fn_charge_tokens(uuid, int, uuid, text, int, int, boolean, jsonb) to eva_service;
