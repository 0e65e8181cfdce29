-- "How has retention changed across 5 ops cycles?" Each venture's measured
-- metrics, one row per metric and ops cycle, with the change against the
-- previous cycle in which the metric was measured. Ops cycle k is the
-- venture's k-th Stage 24 run: it holds what was observed after run k-1
-- started (for cycle 1: everything before it) up to run k's start; what was
-- observed after the latest run started belongs to the next cycle, still open
-- (cycle_scored false). A cycle's value is its latest observation (the latest
-- recorded when two share a time: a correction wins), the value Stage 24 reads
-- (eva.fn_cycle_metrics).
create or replace view eva.venture_metric_history with (security_invoker = true) as
with observed as (
  select m.*,
    1 + (select pg_catalog.count(*) from eva.venture_stage_work w
         where w.venture_id = m.venture_id and w.lifecycle_stage = 24 and w.started_at is not null
           and w.started_at < m.observed_at)::int as ops_cycle
  from eva.venture_metrics m
),
latest as (
  select distinct on (o.venture_id, pg_catalog.lower(o.metric_name), o.ops_cycle) o.*,
    pg_catalog.count(*) over (partition by o.venture_id, pg_catalog.lower(o.metric_name), o.ops_cycle) as observations
  from observed o
  order by o.venture_id, pg_catalog.lower(o.metric_name), o.ops_cycle, o.observed_at desc, o.id desc
)
select
  l.venture_id,
  v.name as venture_name,
  l.category,
  l.metric_name,
  l.ops_cycle,
  exists (select 1 from eva.venture_stage_work w where w.venture_id = l.venture_id and w.lifecycle_stage = 24
          and w.run_number = l.ops_cycle and w.started_at is not null) as cycle_scored,
  l.value,
  l.observed_at,
  l.source,
  l.id as metric_id,
  l.observations::int as observations,
  pg_catalog.lag(l.ops_cycle) over s as previous_cycle,
  pg_catalog.lag(l.value) over s as previous_value,
  l.value - pg_catalog.lag(l.value) over s as change,
  case when pg_catalog.lag(l.value) over s <> 0
    then pg_catalog.round((l.value - pg_catalog.lag(l.value) over s) / pg_catalog.abs(pg_catalog.lag(l.value) over s) * 100, 1)
  end as change_pct
from latest l
join eva.ventures v on v.id = l.venture_id
window s as (partition by l.venture_id, pg_catalog.lower(l.metric_name) order by l.ops_cycle);
comment on view eva.venture_metric_history is
  'Measured metrics per venture, metric and ops cycle (the k-th Stage 24 run; observations after run k-1 started up to run k''s start), with the change against the previous measured cycle.';
comment on column eva.venture_metric_history.ops_cycle is 'The ops cycle: k when observed after the start of Stage 24 run k-1 (any time, for k = 1) and no later than the start of run k.';
comment on column eva.venture_metric_history.cycle_scored is 'True when Stage 24 has read the cycle (its run started); false for the cycle still collecting observations.';
comment on column eva.venture_metric_history.value is 'The cycle''s value: its latest observation (the latest recorded when two share a time).';
comment on column eva.venture_metric_history.observations is 'How many observations of the metric the cycle holds (the latest counts).';
comment on column eva.venture_metric_history.previous_cycle is 'The previous cycle in which the metric was measured (null for the first).';
comment on column eva.venture_metric_history.previous_value is 'The metric''s value in previous_cycle.';
comment on column eva.venture_metric_history.change is 'value - previous_value.';
comment on column eva.venture_metric_history.change_pct is 'change / |previous_value| in percent, one decimal; null when there is no previous value or it is 0.';

grant select on eva.venture_metric_history to eva_chairman, eva_service, eva_viewer;
