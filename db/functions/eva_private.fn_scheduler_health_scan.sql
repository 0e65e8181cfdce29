-- The portfolio health scan (every 6 h): each venture whose health check is
-- due on its cadence (scheduler time) gets its health score and status from
-- what is measured: the latest current Stage 25 review's ventureHealth (the
-- ops cycle's assessment of its measured metrics; the same figures the
-- Stage 25 trigger writes, so a value the trigger wrote stays). Where no
-- review exists nothing is known: the values stay as they are (a null status
-- becomes 'unknown') and the check's basis says unknown. Measured metrics
-- observed since the review are counted, not turned into a score. One
-- summary event per scan (its counts: examined, fromReview, unknown,
-- changed); one venture.health_changed event per venture whose health the
-- scan set from its review.
create or replace function eva_private.fn_scheduler_health_scan()
returns jsonb
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz := eva.fn_scheduler_now();
  v_result jsonb;
  v_changed int;
begin
  -- Ventures without a cadence row get one from their health band (due now).
  insert into eva.venture_cadence (venture_id, risk_band, ops_cycle, health_check, chairman_summary, next_health_check_at)
  select v.id, b.band, b.ops_cycle, b.health_check, b.chairman_summary, v_now
  from eva.ventures v
  cross join lateral eva_private.fn_cadence_band(case when v.health_status = 'strong' then 'stable'
    when v.health_status = 'viable' then 'moderate' else 'high' end) b
  where v.status not in ('killed', 'sunset', 'exited')
    and not exists (select 1 from eva.venture_cadence c where c.venture_id = v.id);

  perform pg_catalog.set_config('eva.change_reason', 'portfolio health scan', true);
  create temporary table if not exists scheduler_health_scan (
    venture_id uuid primary key, review_overall numeric, review_band text, review_version int,
    measured_since int, old_score numeric, old_status text
  ) on commit drop;
  truncate scheduler_health_scan;
  insert into scheduler_health_scan
  select c.venture_id, r.overall, r.band, r.version,
    (select pg_catalog.count(*)::int from eva.venture_metrics m
     where m.venture_id = c.venture_id and (r.created_at is null or m.observed_at > r.created_at)),
    v.health_score, v.health_status
  from eva.venture_cadence c
  join eva.ventures v on v.id = c.venture_id
  left join lateral (
    select least(greatest((a.content #>> '{ventureHealth,overall}')::numeric, 0), 100) as overall,
      a.content #>> '{ventureHealth,band}' as band, a.version, a.created_at
    from eva.venture_artifacts a
    where a.venture_id = c.venture_id and a.artifact_type = 'venture_review' and a.is_current
      and a.validation_status <> 'rejected'
      and pg_catalog.jsonb_typeof(a.content #> '{ventureHealth,overall}') = 'number'
    order by a.created_at desc limit 1
  ) r on true
  where c.next_health_check_at <= v_now and v.status not in ('killed', 'sunset', 'exited');

  with changed as (
    update eva.ventures v
    set health_score = case when s.review_overall is null then v.health_score else pg_catalog.round(s.review_overall / 100, 4) end,
        health_status = case when s.review_overall is null then coalesce(v.health_status, 'unknown')
          else coalesce(s.review_band, case when s.review_overall < 40 then 'critical' when s.review_overall < 60 then 'fragile'
                                             when s.review_overall < 80 then 'viable' else 'strong' end) end
    from scheduler_health_scan s
    where v.id = s.venture_id
      and (case when s.review_overall is null then v.health_status is null
           else (v.health_score is distinct from pg_catalog.round(s.review_overall / 100, 4)
                 or v.health_status is distinct from coalesce(s.review_band, case when s.review_overall < 40 then 'critical'
                   when s.review_overall < 60 then 'fragile' when s.review_overall < 80 then 'viable' else 'strong' end)) end)
    returning v.id, v.health_score, v.health_status
  )
  select pg_catalog.count(*)::int into v_changed
  from (select eva_private.fn_log_event('venture.health_changed', ch.id, pg_catalog.jsonb_build_object(
          'from', pg_catalog.jsonb_build_object('score', s.old_score, 'status', s.old_status),
          'to', pg_catalog.jsonb_build_object('score', ch.health_score, 'status', ch.health_status),
          'basis', case when s.review_overall is null then 'unknown' else 'stage25_review' end,
          'reviewVersion', s.review_version, 'epistemic', case when s.review_overall is null then 'unknown' else 'fact' end))
        from changed ch join scheduler_health_scan s on s.venture_id = ch.id
        where s.review_overall is not null) e;

  update eva.venture_cadence c
  set last_health_check_at = v_now, next_health_check_at = v_now + c.health_check,
      last_health_basis = case when s.review_overall is null then 'unknown' else 'stage25_review' end,
      updated_at = pg_catalog.now()
  from scheduler_health_scan s
  where c.venture_id = s.venture_id;

  select pg_catalog.jsonb_build_object(
    'at', v_now,
    'examined', pg_catalog.count(*),
    'fromReview', pg_catalog.count(*) filter (where s.review_overall is not null),
    'unknown', pg_catalog.count(*) filter (where s.review_overall is null),
    'changed', v_changed,
    'markedUnknown', pg_catalog.count(*) filter (where s.review_overall is null and s.old_status is null),
    'measuredSinceReview', coalesce(pg_catalog.sum(s.measured_since), 0))
  into v_result
  from scheduler_health_scan s;
  perform eva_private.fn_log_event('scheduler.health_scan', null, v_result);
  perform pg_catalog.set_config('eva.change_reason', '', true);
  return v_result;
end;
$$;
comment on function eva_private.fn_scheduler_health_scan() is
  'Tick (every 6 h): ventures whose health check is due get health from their latest Stage 25 review (measured), else keep their values with basis unknown; returns and logs the counts.';
grant execute on function eva_private.fn_scheduler_health_scan() to eva_service;
