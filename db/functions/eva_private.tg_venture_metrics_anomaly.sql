-- Post-launch operations (spec §14): after each ingest, every new observation
-- is compared with its series' trailing history, robustly:
--   window     the 12 latest earlier observations of the same series (venture,
--              metric name case-insensitive, observed before this one);
--   minimum    5 of them, else nothing is judged (too little history);
--   rule       anomalous when |value − median| > k · 1.4826 · MAD with k = 3
--              (MAD: the median absolute deviation from the median; 1.4826
--              scales it to a standard deviation for normal data), so one
--              outlier in the history cannot hide the next one;
--   flat       a history with MAD = 0 (all equal) flags any different value,
--              with robust_z null (its size is unknown: the DFE escalates it).
-- An anomaly is recorded (eva.metric_anomalies), logged (metric.anomaly) and
-- handed to the DFE by a metric_anomaly_evaluate job.
create or replace function eva_private.tg_venture_metrics_anomaly()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  c_window constant int := 12;
  c_min_history constant int := 5;
  c_k constant numeric := 3;
  c_scale constant numeric := 1.4826;
  v_history numeric[];
  v_median numeric;
  v_mad numeric;
  v_z numeric;
  v_id uuid;
  v_event bigint;
begin
  select pg_catalog.array_agg(h.value) into v_history
  from (select m.value from eva.venture_metrics m
        where m.venture_id = new.venture_id and pg_catalog.lower(m.metric_name) = pg_catalog.lower(new.metric_name)
          and m.observed_at < new.observed_at
        order by m.observed_at desc, m.id desc
        limit c_window) h;
  if coalesce(pg_catalog.cardinality(v_history), 0) < c_min_history then
    return null;
  end if;
  select pg_catalog.percentile_cont(0.5) within group (order by x)::numeric into v_median from pg_catalog.unnest(v_history) x;
  select pg_catalog.percentile_cont(0.5) within group (order by pg_catalog.abs(x - v_median))::numeric into v_mad
  from pg_catalog.unnest(v_history) x;
  if v_mad = 0 then
    if new.value = v_median then
      return null;
    end if;
    v_z := null;
  else
    v_z := pg_catalog.round((new.value - v_median) / (c_scale * v_mad), 3);
    if pg_catalog.abs(v_z) <= c_k then
      return null;
    end if;
  end if;

  insert into eva.metric_anomalies (venture_id, metric_id, metric_name, value, median, mad, robust_z, history)
  values (new.venture_id, new.id, new.metric_name, new.value, v_median, v_mad, v_z, pg_catalog.cardinality(v_history))
  on conflict (metric_id) do nothing
  returning id into v_id;
  if v_id is null then
    return null;
  end if;
  v_event := eva_private.fn_log_event('metric.anomaly', new.venture_id, pg_catalog.jsonb_build_object(
    'anomaly_id', v_id, 'metric', new.metric_name, 'category', new.category, 'value', new.value,
    'observed_at', new.observed_at, 'median', v_median, 'mad', v_mad, 'robust_z', v_z,
    'rule', pg_catalog.jsonb_build_object('k', c_k, 'window', c_window, 'min_history', c_min_history,
      'history', pg_catalog.cardinality(v_history))));
  update eva.metric_anomalies set event_id = v_event where id = v_id;
  perform graphile_worker.add_job('metric_anomaly_evaluate', pg_catalog.json_build_object('anomaly_id', v_id),
    job_key := 'metric_anomaly:' || v_id, max_attempts := 5);
  return null;
end;
$$;
comment on function eva_private.tg_venture_metrics_anomaly() is
  'Trigger: a metric outside its series'' trailing median ± 3·1.4826·MAD (12 earlier observations, at least 5) is recorded in eva.metric_anomalies, logged as metric.anomaly and queued for the DFE (metric_anomaly_evaluate).';

create or replace trigger _500_anomaly after insert on eva.venture_metrics
  for each row execute function eva_private.tg_venture_metrics_anomaly();
