-- The nursery review check (daily), with re-evaluation (spec §16
-- checkNurseryTriggers): each parked idea whose review date has come (scheduler
-- time) gets one nursery_reeval job per review date, which runs the
-- discovery_mode nursery_reeval strategy and the synthesis again and opens the
-- Chairman's review of the fresh brief (src/tasks/stage-zero.ts). An idea
-- parked 180 days is flagged stale once (nursery.stale event). Returns what it did.
create or replace function eva_private.fn_scheduler_nursery_reeval()
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz := eva.fn_scheduler_now();
  v_queued int;
  v_stale int;
begin
  with stale as (
    update eva.venture_nursery n set stale_at = v_now
    where n.status = 'parked' and n.stale_at is null and n.parked_at <= v_now - interval '180 days'
    returning n.id, n.name, n.parked_at
  )
  select pg_catalog.count(*)::int into v_stale
  from (select eva_private.fn_log_event('nursery.stale', null, pg_catalog.jsonb_build_object(
          'nurseryId', s.id, 'name', s.name, 'parkedAt', s.parked_at, 'at', v_now))
        from stale s) e;

  with due as (
    update eva.venture_nursery n set reevaluation_queued_for = n.review_at
    where n.status = 'parked' and n.review_at <= v_now
      and n.reevaluation_queued_for is distinct from n.review_at
      -- a review already opened for this idea and review date (the earlier check), or one still
      -- pending for it (a re-evaluation the Chairman asked for), is not opened again
      and not exists (select 1 from eva.chairman_decisions d
                      where d.decision_type = 'venture_review' and d.lifecycle_stage = 0
                        and d.context ->> 'nurseryId' = n.id::text
                        and ((d.context ->> 'reviewAt')::timestamptz = n.review_at or d.status = 'pending'))
    returning n.id, n.name, n.review_at
  )
  select pg_catalog.count(*)::int into v_queued
  from (select graphile_worker.add_job('nursery_reeval',
                 pg_catalog.json_build_object('nurseryId', d.id, 'reviewAt', d.review_at),
                 job_key := 'nursery_reeval:' || d.id, max_attempts := 5),
               eva_private.fn_log_event('nursery.review_due', null, pg_catalog.jsonb_build_object(
                 'nurseryId', d.id, 'name', d.name, 'reviewAt', d.review_at, 'reevaluation', 'queued', 'at', v_now))
        from due d) q;

  perform eva_private.fn_scheduler_record_tick('nursery_review_check',
    pg_catalog.jsonb_build_object('done', true, 'reevaluationsQueued', v_queued, 'flaggedStale', v_stale));
  return pg_catalog.jsonb_build_object('reevaluationsQueued', v_queued, 'flaggedStale', v_stale);
end;
$$;
comment on function eva_private.fn_scheduler_nursery_reeval() is
  'Tick (daily): parked nursery ideas due for review get one nursery_reeval job each (per review date) and a nursery.review_due event; ideas parked 180 days are flagged stale. Returns the counts.';
grant execute on function eva_private.fn_scheduler_nursery_reeval() to eva_service;
