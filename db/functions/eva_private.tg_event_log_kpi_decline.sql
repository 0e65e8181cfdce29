-- Post-launch operations (spec §14): after each ingest (the metrics.recorded
-- event, once per batch), a KPI that got worse in each of its last 3 measured
-- ops cycles (eva.venture_metric_history: cycle over previous measured cycle,
-- the open cycle included) becomes an enhancement SD work item through the SD
-- bridge (eva_private.fn_sd_post_launch_item), once per metric while the item
-- is pending, and not again for the same cycle. "Worse" is a fall, except for
-- metrics whose name says lower is better (churn, cost, CAC, latency, errors,
-- bounce, refunds), where it is a rise. Ventures before Stage 20 are skipped
-- (their work is in their sprint), and the ingest never fails because of it.
create or replace function eva_private.tg_event_log_kpi_decline()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  c_cycles constant int := 3;
  v_stage int;
  v_kpi record;
begin
  select v.current_lifecycle_stage into v_stage from eva.ventures v
  where v.id = new.venture_id and v.status not in ('killed', 'sunset', 'exited');
  if v_stage is null or v_stage < 20 then
    return null;
  end if;
  for v_kpi in
    with h as (
      select pg_catalog.lower(m.metric_name) as series, m.metric_name, m.ops_cycle, m.value, m.change,
        pg_catalog.row_number() over (partition by pg_catalog.lower(m.metric_name) order by m.ops_cycle desc) as rn,
        m.metric_name ~* '(churn|cost|cac|latency|error|bounce|refund)' as lower_is_better
      from eva.venture_metric_history m
      where m.venture_id = new.venture_id
    )
    select h.series, pg_catalog.max(h.metric_name) as metric_name,
      pg_catalog.max(h.ops_cycle) filter (where h.rn = 1) as through_cycle,
      pg_catalog.array_agg(h.value order by h.ops_cycle) filter (where h.rn <= c_cycles + 1) as recent
    from h
    group by h.series
    having pg_catalog.count(*) filter (where h.rn <= c_cycles and h.change is not null
             and case when h.lower_is_better then h.change > 0 else h.change < 0 end) = c_cycles
  loop
    if exists (select 1 from eva.sd_work_items i
               where i.venture_id = new.venture_id and i.kind = 'child' and i.details ->> 'origin' = 'post_launch'
                 and i.details ->> 'series' = v_kpi.series
                 and (i.status = 'pending' or (i.details ->> 'through_cycle')::int = v_kpi.through_cycle)) then
      continue;
    end if;
    perform eva_private.fn_sd_post_launch_item(new.venture_id, 'enhancement',
      pg_catalog.format('Reverse the decline of %s (%s cycles: %s)', v_kpi.metric_name, c_cycles,
        pg_catalog.array_to_string(v_kpi.recent, ' → ')),
      pg_catalog.jsonb_build_object('metric', v_kpi.metric_name, 'series', v_kpi.series,
        'through_cycle', v_kpi.through_cycle, 'values', pg_catalog.to_jsonb(v_kpi.recent), 'cycles', c_cycles,
        'trigger_event', new.id));
  end loop;
  return null;
end;
$$;
comment on function eva_private.tg_event_log_kpi_decline() is
  'Trigger on metrics.recorded: a KPI worse in each of its last 3 measured ops cycles becomes an enhancement SD work item (once per metric while pending; not twice for a cycle); ventures before Stage 20 are skipped.';

create or replace trigger _510_kpi_decline after insert on eva.eva_event_log
  for each row when (new.event_type = 'metrics.recorded')
  execute function eva_private.tg_event_log_kpi_decline();
