-- What Stage 24 measures an ops cycle by (spec §5 ops loop): the metrics
-- observed in the cycle, as recorded in eva.venture_metrics, and the values the
-- previous Stage 24 version recorded, read from that version (never
-- re-simulated). Ops cycle k is the venture's k-th Stage 24 run; it takes the
-- observations after run k-1 started (for cycle 1: everything before it) up to
-- the moment run k started, the latest observation of each metric (then the
-- latest recorded, so a correction wins). eva.venture_metric_history uses the
-- same definition. Runs as the caller (RLS applies).
create or replace function eva.fn_cycle_metrics(p_work_id uuid)
returns jsonb
language sql
stable
set search_path = pg_catalog, pg_temp
as $$
  with w as (
    select w.id, w.venture_id, w.run_number, coalesce(w.started_at, pg_catalog.now()) as until,
      (select pw.started_at from eva.venture_stage_work pw
       where pw.venture_id = w.venture_id and pw.lifecycle_stage = 24 and pw.run_number < w.run_number
         and pw.started_at is not null
       order by pw.run_number desc limit 1) as after
    from eva.venture_stage_work w
    where w.id = p_work_id and w.lifecycle_stage = 24
  ),
  observed as (
    select distinct on (pg_catalog.lower(m.metric_name)) m.*
    from w join eva.venture_metrics m on m.venture_id = w.venture_id
      and m.observed_at <= w.until and (w.after is null or m.observed_at > w.after)
    order by pg_catalog.lower(m.metric_name), m.observed_at desc, m.id desc
  ),
  previous as (
    select a.* from w join eva.venture_artifacts a on a.venture_id = w.venture_id and a.lifecycle_stage = 24
      and a.artifact_type = 'launch_scorecard' and a.stage_work_id is distinct from w.id
    order by a.version desc limit 1
  )
  select pg_catalog.jsonb_build_object(
    'cycle', w.run_number,
    'observedAfter', w.after,
    'observedUntil', w.until,
    'metrics', coalesce((
      select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('id', o.id, 'category', o.category, 'name', o.metric_name,
        'value', o.value, 'observedAt', o.observed_at, 'source', o.source, 'criterionRef', o.criterion_ref)
        order by o.category, o.metric_name)
      from observed o), '[]'::jsonb),
    'previous', (
      select pg_catalog.jsonb_build_object('version', p.version,
        'runNumber', (select pw.run_number from eva.venture_stage_work pw where pw.id = p.stage_work_id),
        'metrics', coalesce((
          select pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('category', c.key, 'name', m ->> 'name',
            'value', case when pg_catalog.jsonb_typeof(m -> 'value') = 'number' then m -> 'value' end,
            'label', coalesce(m ->> 'label', p.epistemic_classification::text)))
          from pg_catalog.jsonb_each(case when pg_catalog.jsonb_typeof(p.content -> 'aarrr') = 'object'
                                          then p.content -> 'aarrr' else '{}'::jsonb end) c,
               pg_catalog.jsonb_array_elements(case when pg_catalog.jsonb_typeof(c.value) = 'array'
                                                    then c.value else '[]'::jsonb end) m), '[]'::jsonb))
      from previous p)
  )
  from w;
$$;
comment on function eva.fn_cycle_metrics(uuid) is
  'For a Stage 24 run: its ops cycle, the metrics observed in it (the latest observation of each, from eva.venture_metrics: observed after the previous Stage 24 run started, up to this run''s start) and the metric values the previous launch_scorecard version recorded. Null for other stages.';
grant execute on function eva.fn_cycle_metrics(uuid) to eva_service, eva_chairman;
