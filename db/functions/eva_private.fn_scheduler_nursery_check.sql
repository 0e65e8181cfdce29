-- The nursery review check (daily): each parked idea whose revisit date has
-- come (scheduler time) gets a pending Stage 0 review (the Chairman approves,
-- parks again or kills it) and a nursery.review_due event, once per revisit
-- date: a review already opened for this nursery row and review date is not
-- opened again. (Re-evaluating the idea itself is left to the Stage 0 flow.)
create or replace function eva_private.fn_scheduler_nursery_check()
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz := eva.fn_scheduler_now();
  v_count int;
begin
  with due as (
    select n.* from eva.venture_nursery n
    where n.status = 'parked' and n.review_at <= v_now
      and not exists (select 1 from eva.chairman_decisions d
                      where d.decision_type = 'venture_review' and d.lifecycle_stage = 0
                        and d.context ->> 'nurseryId' = n.id::text
                        and (d.context ->> 'reviewAt')::timestamptz = n.review_at)
  ), opened as (
    insert into eva.chairman_decisions (lifecycle_stage, decision_type, recommended_action, urgency, blocking, context)
    select 0, 'venture_review', null, 'daily', false, pg_catalog.jsonb_build_object(
      'brief', d.brief, 'nurseryId', d.id, 'reviewAt', d.review_at, 'parkedReason', d.reason,
      'epistemic', 'assumption', 'provenance', pg_catalog.jsonb_build_object('origin', 'nursery_revisit'))
    from due d
    returning id, context
  )
  select pg_catalog.count(*)::int into v_count
  from (select eva_private.fn_log_event('nursery.review_due', null, pg_catalog.jsonb_build_object(
          'nurseryId', o.context ->> 'nurseryId', 'decisionId', o.id, 'name', o.context #>> '{brief,name}',
          'reviewAt', o.context ->> 'reviewAt', 'at', v_now))
        from opened o) e;
  return v_count;
end;
$$;
comment on function eva_private.fn_scheduler_nursery_check() is
  'Tick (daily): parked nursery ideas whose review_at has come get one pending Stage 0 review each (per review date) and a nursery.review_due event; returns the count.';
grant execute on function eva_private.fn_scheduler_nursery_check() to eva_service;
