-- The portfolio's vital signs in one row (spec §11). Definitions:
--   ended          = killed + sunset + exited
--   kill_rate      = killed / ended (null until a venture ended)
--   success_rate   = ventures that reached Stage 23 (Launch Execution) or
--                    later, or exited, over ventures with a known outcome
--                    (those successes plus the ended ones); null when none
--   avg_cycle_days = mean days from creation to entering the current stage,
--                    or to the last status change for an ended venture
--   auto_proceed_rate = share of dfe.evaluated events whose output is AUTO_PROCEED
--   total_revenue  = summed monthly revenue of the current Stage 24 launch
--                    scorecards: each scorecard's aarrr.revenue metrics named
--                    like MRR or revenue, percentages excluded; null when no scorecard has one
--   pending_decisions = pending Chairman decisions (eva.fn_pending_decision_count)
create or replace view eva.portfolio_metrics with (security_invoker = true) as
with v as (
  select
    pg_catalog.count(*) as total,
    pg_catalog.count(*) filter (where status = 'active') as active,
    pg_catalog.count(*) filter (where status = 'awaiting_decision') as awaiting_decision,
    pg_catalog.count(*) filter (where status = 'paused') as paused,
    pg_catalog.count(*) filter (where status = 'killed') as killed,
    pg_catalog.count(*) filter (where status = 'sunset') as sunset,
    pg_catalog.count(*) filter (where status = 'exited') as exited,
    pg_catalog.count(*) filter (where status in ('killed', 'sunset', 'exited')) as ended,
    pg_catalog.count(*) filter (where current_lifecycle_stage >= 23 or status = 'exited') as succeeded,
    pg_catalog.count(*) filter (where current_lifecycle_stage >= 23 or status in ('killed', 'sunset', 'exited')) as decided,
    pg_catalog.avg(extract(epoch from
      case when status in ('killed', 'sunset', 'exited') then status_changed_at else stage_entered_at end - created_at) / 86400) as cycle_days
  from eva.ventures
),
-- Each count from its own partial index (migration 050), without reading an event's payload.
dfe as (
  select (select pg_catalog.count(*) from eva.eva_event_log where event_type = 'dfe.evaluated') as evaluated,
         (select pg_catalog.count(*) from eva.eva_event_log
          where event_type = 'dfe.evaluated' and payload ->> 'output' = 'AUTO_PROCEED') as auto_proceeded
),
revenue as (
  select pg_catalog.sum((m ->> 'value')::numeric) as total
  from eva.venture_artifacts a
  cross join lateral pg_catalog.jsonb_array_elements(
    case when pg_catalog.jsonb_typeof(a.content -> 'aarrr' -> 'revenue') = 'array' then a.content -> 'aarrr' -> 'revenue' else '[]'::jsonb end) m
  where a.artifact_type = 'launch_scorecard' and a.lifecycle_stage = 24 and a.is_current
    and m ->> 'name' ~* '(mrr|revenue)' and m ->> 'name' !~ '%'
    and pg_catalog.jsonb_typeof(m -> 'value') = 'number'
)
select
  v.total as ventures_total,
  v.active as ventures_active,
  v.awaiting_decision as ventures_awaiting_decision,
  v.paused as ventures_paused,
  v.killed as ventures_killed,
  v.sunset as ventures_sunset,
  v.exited as ventures_exited,
  pg_catalog.round(v.killed::numeric / nullif(v.ended, 0), 4) as kill_rate,
  pg_catalog.round(v.succeeded::numeric / nullif(v.decided, 0), 4) as success_rate,
  pg_catalog.round(v.cycle_days, 2) as avg_cycle_days,
  pg_catalog.round(dfe.auto_proceeded::numeric / nullif(dfe.evaluated, 0), 4) as auto_proceed_rate,
  revenue.total as total_revenue,
  eva.fn_pending_decision_count() as pending_decisions
from v, dfe, revenue;

comment on view eva.portfolio_metrics is 'The portfolio in one row: ventures by status, kill and success rates, average cycle time, DFE AUTO_PROCEED rate, revenue and pending decisions.';
comment on column eva.portfolio_metrics.ventures_total is 'All ventures.';
comment on column eva.portfolio_metrics.ventures_active is 'Ventures with status active.';
comment on column eva.portfolio_metrics.ventures_awaiting_decision is 'Ventures waiting for a Chairman decision.';
comment on column eva.portfolio_metrics.ventures_paused is 'Paused ventures.';
comment on column eva.portfolio_metrics.ventures_killed is 'Killed ventures.';
comment on column eva.portfolio_metrics.ventures_sunset is 'Sunset ventures.';
comment on column eva.portfolio_metrics.ventures_exited is 'Exited ventures.';
comment on column eva.portfolio_metrics.kill_rate is 'Killed / ended (killed + sunset + exited), 0-1; null until a venture ended.';
comment on column eva.portfolio_metrics.success_rate is 'Ventures that reached Stage 23 or later or exited, over those plus the ended ones (ventures with a known outcome), 0-1; null when none.';
comment on column eva.portfolio_metrics.avg_cycle_days is 'Mean days from creation to entering the current stage (or, for an ended venture, to its end).';
comment on column eva.portfolio_metrics.auto_proceed_rate is 'Share of Decision Filter Engine evaluations (dfe.evaluated events) whose output was AUTO_PROCEED, 0-1; null when none.';
comment on column eva.portfolio_metrics.total_revenue is 'Summed monthly revenue of the current Stage 24 launch scorecards (aarrr.revenue metrics named like MRR or revenue, percentages excluded); null when none reports one.';
comment on column eva.portfolio_metrics.pending_decisions is 'Chairman decisions pending (a count; the decisions themselves are the Chairman''s and services'').';

grant select on eva.portfolio_metrics to eva_chairman, eva_service, eva_viewer;
