-- Records with a selection the probability it had of picking its arm: under
-- Thompson sampling, that arm's probability of being best from the posterior
-- the selection drew from (unchanged within the transaction), estimated from
-- p_draws joint draws. The schedule's selections carry it, so outcomes can be
-- re-weighted by their propensity later.
create or replace function eva_private.fn_bandit_note_probability(p_selection_id bigint, p_draws int default 500)
returns numeric
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_sel marketing.bandit_selections;
  v_p double precision;
begin
  select * into v_sel from marketing.bandit_selections s where s.id = p_selection_id for update;
  if not found then
    raise exception 'no bandit selection %', p_selection_id using errcode = 'EV404';
  end if;
  select p.probability_best into v_p from eva_private.fn_bandit_probability_best(v_sel.bandit_id, p_draws) p
  where p.arm_id = v_sel.arm_id;
  update marketing.bandit_selections s set selection_probability = pg_catalog.round(coalesce(v_p, 0)::numeric, 6),
    probability_draws = p_draws
  where s.id = p_selection_id;
  return pg_catalog.round(coalesce(v_p, 0)::numeric, 6);
end;
$$;
comment on function eva_private.fn_bandit_note_probability(bigint, int) is
  'Sets a selection''s selection_probability: its arm''s probability of being best (p_draws joint posterior draws). Returns it. EV404 unknown selection.';
grant execute on function eva_private.fn_bandit_note_probability(bigint, int) to eva_service;
