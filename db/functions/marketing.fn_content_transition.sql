-- THE one writer of a content item's lifecycle state (spec §17.10): every
-- move is checked against the state machine, recorded with its detail in
-- marketing.marketing_content_transitions and logged as the event
-- marketing.content_transitioned, in the caller's transaction. A failed review
-- goes back to GENERATE carrying its feedback; OPTIMIZE → IDEATE starts the
-- next cycle. Entering GENERATE (from REVIEW or a new cycle) or REVIEW queues
-- the job that does that step's work.
--   IDEATE → GENERATE → REVIEW → SCHEDULE → DISPATCH → MEASURE → OPTIMIZE → IDEATE
--                          └──→ GENERATE (feedback required)
create or replace function marketing.fn_content_transition(p_content_id uuid, p_to text, p_detail jsonb default '{}')
returns marketing.marketing_content
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row marketing.marketing_content;
  v_to text := pg_catalog.upper(pg_catalog.btrim(p_to));
  v_detail jsonb := coalesce(p_detail, '{}'::jsonb);
  v_next text[];
  v_feedback jsonb;
  v_event bigint;
  v_from text;
begin
  if p_content_id is null then
    raise exception 'a content id is required' using errcode = 'EV400';
  end if;
  if v_to is null or v_to not in ('IDEATE', 'GENERATE', 'REVIEW', 'SCHEDULE', 'DISPATCH', 'MEASURE', 'OPTIMIZE') then
    raise exception 'unknown lifecycle state "%"', p_to using errcode = 'EV400',
      hint = 'The states are IDEATE, GENERATE, REVIEW, SCHEDULE, DISPATCH, MEASURE, OPTIMIZE.';
  end if;
  if pg_catalog.jsonb_typeof(v_detail) <> 'object' then
    raise exception 'a transition''s detail must be a JSON object' using errcode = 'EV400';
  end if;

  select * into v_row from marketing.marketing_content c where c.id = p_content_id for update;
  if not found then
    raise exception 'no marketing content %', p_content_id using errcode = 'EV404';
  end if;
  if v_row.status = 'blocked' then
    raise exception 'content % is blocked: %', p_content_id, v_row.blocked_reason using errcode = 'EV409';
  end if;

  v_from := v_row.lifecycle_state;
  v_next := case v_from
    when 'IDEATE' then array['GENERATE']
    when 'GENERATE' then array['REVIEW']
    when 'REVIEW' then array['SCHEDULE', 'GENERATE']
    when 'SCHEDULE' then array['DISPATCH']
    when 'DISPATCH' then array['MEASURE']
    when 'MEASURE' then array['OPTIMIZE']
    when 'OPTIMIZE' then array['IDEATE']
  end;
  if not (v_to = any (v_next)) then
    raise exception 'content % is in %: it can go to % only, not %', p_content_id, v_row.lifecycle_state,
      pg_catalog.array_to_string(v_next, ' or '), v_to
      using errcode = 'EV409', hint = 'The lifecycle is IDEATE → GENERATE → REVIEW → SCHEDULE → DISPATCH → MEASURE → OPTIMIZE → IDEATE.';
  end if;

  if v_row.lifecycle_state = 'REVIEW' and v_to = 'GENERATE' then
    -- A review that sends content back says why: the generator reads it.
    v_feedback := case pg_catalog.jsonb_typeof(v_detail -> 'feedback')
      when 'string' then pg_catalog.jsonb_build_array(v_detail -> 'feedback')
      when 'array' then v_detail -> 'feedback'
    end;
    if v_feedback is null or pg_catalog.jsonb_array_length(v_feedback) = 0
       or pg_catalog.jsonb_path_exists(v_feedback, '$[*] ? (@.type() != "string" || @ == "")') then
      raise exception 'sending content back to GENERATE needs the review''s feedback (detail.feedback: a non-empty list of texts)'
        using errcode = 'EV400';
    end if;
    v_detail := v_detail || pg_catalog.jsonb_build_object('feedback', v_feedback);
  end if;
  if v_to = 'REVIEW' and not exists (
      select 1 from marketing.marketing_content_variants cv
      where cv.content_id = v_row.id and cv.generation = v_row.generation and v_row.generation >= 1) then
    raise exception 'content % has no variants of its current generation to review', p_content_id
      using errcode = 'EV409', hint = 'The generator records them (eva_private.fn_marketing_record_generation).';
  end if;
  if v_to = 'SCHEDULE' and not exists (
      select 1 from marketing.marketing_content_reviews r
      where r.content_id = v_row.id and r.cycle = v_row.cycle and r.generation = v_row.generation and r.passed) then
    raise exception 'content % has not passed the brand review of its current variants', p_content_id
      using errcode = 'EV409';
  end if;

  perform pg_catalog.set_config('marketing.transitioning', v_row.id::text, true);
  update marketing.marketing_content c set
    lifecycle_state = v_to,
    cycle = c.cycle + case when v_to = 'IDEATE' then 1 else 0 end,
    review_loops = case when v_to = 'IDEATE' then 0 when v_to = 'GENERATE' and v_row.lifecycle_state = 'REVIEW'
      then c.review_loops + 1 else c.review_loops end,
    state_changed_at = pg_catalog.now(),
    metadata = c.metadata || pg_catalog.jsonb_build_object('lifecycle_state', v_to)
      || case when v_feedback is not null then pg_catalog.jsonb_build_object('review_feedback', v_feedback)
              when v_to = 'IDEATE' then pg_catalog.jsonb_build_object('review_feedback', null)
              else '{}'::jsonb end
  where c.id = v_row.id
  returning * into v_row;
  perform pg_catalog.set_config('marketing.transitioning', '', true);

  v_event := eva_private.fn_log_event('marketing.content_transitioned', v_row.venture_id, pg_catalog.jsonb_build_object(
    'content_id', v_row.id, 'from', v_from, 'to', v_to, 'cycle', v_row.cycle, 'generation', v_row.generation,
    'detail', v_detail));
  insert into marketing.marketing_content_transitions (content_id, venture_id, cycle, from_state, to_state, detail, event_id, actor)
  values (v_row.id, v_row.venture_id, v_row.cycle, v_from, v_to, v_detail, v_event, eva_private.fn_caller_role());

  -- The next step's job: a rewrite after a failed review, a new cycle's first generation, a review.
  if (v_to = 'GENERATE' and v_from = 'REVIEW') or v_to = 'IDEATE' then
    perform eva_private.fn_marketing_enqueue(v_row.id, 'generate');
  elsif v_to = 'REVIEW' then
    perform eva_private.fn_marketing_enqueue(v_row.id, 'review');
  end if;
  return v_row;
end;
$$;
comment on function marketing.fn_content_transition(uuid, text, jsonb) is
  'Moves a content item through the lifecycle (IDEATE → GENERATE → REVIEW → SCHEDULE → DISPATCH → MEASURE → OPTIMIZE → IDEATE; REVIEW → GENERATE with detail.feedback): EV400 bad input, EV404 unknown content, EV409 a move its state does not allow. Records the transition and logs marketing.content_transitioned.';
grant execute on function marketing.fn_content_transition(uuid, text, jsonb) to eva_service, eva_chairman;
