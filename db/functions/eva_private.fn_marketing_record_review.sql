-- The brand-compliance review's outcome, in one transaction: the review row
-- (every check, the feedback), its tokens charged, and the move it decides —
-- passed: REVIEW → SCHEDULE; failed: REVIEW → GENERATE with the feedback, or,
-- once the cycle has looped back marketing.max_review_loops times, the content
-- is blocked with the reason (no endless rewriting).
create or replace function eva_private.fn_marketing_record_review(
  p_content_id uuid,
  p_generation int,
  p_passed boolean,
  p_checks jsonb,
  p_feedback text[],
  p_epistemic eva.epistemic_classification,
  p_provenance jsonb,
  p_charge jsonb
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row marketing.marketing_content;
  v_stage int;
  v_max int := coalesce((select (s.value #>> '{}')::int from eva_private.settings s where s.key = 'marketing.max_review_loops'), 3);
  v_review uuid;
  v_reason text;
begin
  select * into v_row from marketing.marketing_content c where c.id = p_content_id for update;
  if not found then
    raise exception 'no marketing content %', p_content_id using errcode = 'EV404';
  end if;
  if v_row.lifecycle_state <> 'REVIEW' or v_row.status <> 'active' or v_row.generation <> p_generation then
    raise exception 'content % is % (%, generation %), not in REVIEW of generation %: the review is not recorded',
      p_content_id, v_row.lifecycle_state, v_row.status, v_row.generation, p_generation using errcode = 'EV409';
  end if;
  if p_passed is null or pg_catalog.jsonb_typeof(p_checks) is distinct from 'array' then
    raise exception 'a review says whether it passed and lists its checks' using errcode = 'EV400';
  end if;

  insert into marketing.marketing_content_reviews (content_id, venture_id, cycle, generation, passed, checks, feedback,
    epistemic_classification, provenance)
  values (v_row.id, v_row.venture_id, v_row.cycle, p_generation, p_passed, p_checks, coalesce(p_feedback, '{}'),
    p_epistemic, coalesce(p_provenance, '{}'::jsonb))
  returning id into v_review;

  select v.current_lifecycle_stage into v_stage from eva.ventures v where v.id = v_row.venture_id;
  if p_charge is not null and coalesce((p_charge ->> 'promptTokens')::int, 0) + coalesce((p_charge ->> 'completionTokens')::int, 0) > 0 then
    perform eva.fn_charge_tokens(v_row.venture_id, v_stage, null, 'content', (p_charge ->> 'promptTokens')::int,
      (p_charge ->> 'completionTokens')::int, coalesce((p_charge ->> 'estimated')::boolean, false),
      coalesce(p_charge -> 'provenance', '{}'::jsonb) || pg_catalog.jsonb_build_object('content_id', v_row.id, 'step', 'review'));
  end if;

  if p_passed then
    perform marketing.fn_content_transition(v_row.id, 'SCHEDULE', pg_catalog.jsonb_build_object('review_id', v_review));
    return pg_catalog.jsonb_build_object('outcome', 'scheduled', 'review_id', v_review);
  end if;
  if v_row.review_loops >= v_max then
    v_reason := pg_catalog.format('the brand review failed %s times in cycle %s: %s', v_row.review_loops + 1, v_row.cycle,
      pg_catalog.array_to_string(p_feedback, '; '));
    perform eva_private.fn_marketing_block_content(v_row.id, pg_catalog.left(v_reason, 2000));
    return pg_catalog.jsonb_build_object('outcome', 'blocked', 'review_id', v_review, 'reason', v_reason);
  end if;
  perform marketing.fn_content_transition(v_row.id, 'GENERATE',
    pg_catalog.jsonb_build_object('review_id', v_review, 'feedback', pg_catalog.to_jsonb(p_feedback)));
  return pg_catalog.jsonb_build_object('outcome', 'regenerate', 'review_id', v_review, 'loop', v_row.review_loops + 1);
end;
$$;
comment on function eva_private.fn_marketing_record_review(uuid, int, boolean, jsonb, text[], eva.epistemic_classification, jsonb, jsonb) is
  'Records a brand-compliance review and acts on it: passed → SCHEDULE; failed → GENERATE with the feedback, or blocked after marketing.max_review_loops loops. Returns {outcome: scheduled | regenerate | blocked, review_id, …}.';
grant execute on function eva_private.fn_marketing_record_review(uuid, int, boolean, jsonb, text[], eva.epistemic_classification, jsonb, jsonb) to eva_service;
