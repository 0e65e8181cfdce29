-- The portfolio's vital signs over time (spec §11, the dashboard's charts):
-- the time from the first venture's creation to now split into p_periods equal
-- periods (1-120, default 12), and for each what happened in it. Nothing is
-- interpolated: a rate with nothing to count in its period is null (shown as
-- a gap), never carried over. Definitions, per period:
--   kill_rate         = ventures killed / ventures ended (killed, sunset, exited) in the period
--   success_rate      = ventures with a success in the period (first reached Stage 23, or exited)
--                       over ventures with any outcome in it (a success or an end), as eva.portfolio_metrics
--   cycle_days        = mean days a stage took, over the stage transitions made in the period
--                       (from the venture's previous transition, or its creation for the first)
--   auto_proceed_rate = dfe.evaluated events in the period whose output was AUTO_PROCEED
--   revenue           = at the period's end, the summed monthly revenue of each venture's latest Stage 24
--                       launch scorecard (eva.portfolio_metrics' rule); revenue_simulated when any of
--                       those scorecards is classified simulation
-- Runs as the caller (RLS decides what is counted). Each source is read once
-- and each of its rows placed in its period once, by width_bucket over the
-- periods' starts (period g holds [start g, start g+1); the last period holds
-- everything from its start on), so the cost grows with the rows, not with
-- rows times periods. No JIT (its compile time, on the planner's estimate of
-- 1000 periods, cost more than the query).
create or replace function eva.fn_portfolio_metrics_history(p_periods int default 12)
returns table (
  period int, period_start timestamptz, period_end timestamptz,
  ventures_created int, ventures_ended int, ventures_killed int, kill_rate numeric,
  outcomes int, successes int, success_rate numeric,
  stage_transitions int, cycle_days numeric,
  dfe_evaluated int, auto_proceed_rate numeric,
  revenue numeric, revenue_ventures int, revenue_simulated boolean
)
language sql
stable
set search_path = pg_catalog, pg_temp
set jit = off
as $$
  with bounds as (
    select s.first, n.n, pg_catalog.now() as last,
      greatest((pg_catalog.now() - s.first) / n.n, interval '1 second') as width
    from (select pg_catalog.min(v.created_at) as first from eva.ventures v) s,
         (select least(greatest(coalesce(p_periods, 12), 1), 120) as n) n
    where s.first is not null
  ),
  periods as materialized (
    select g as period, b.first + b.width * (g - 1) as period_start,
      case when g = b.n then greatest(b.last, b.first + b.width * g) else b.first + b.width * g end as period_end
    from bounds b, pg_catalog.generate_series(1, b.n) g
  ),
  -- The periods' starts in order: width_bucket(t, starts) is t's period, 0 before the first.
  edges as materialized (
    select pg_catalog.array_agg(p.period_start order by p.period) as starts from periods p
  ),
  created as (
    select pg_catalog.width_bucket(v.created_at, e.starts) as period, pg_catalog.count(*)::int as n
    from eva.ventures v, edges e group by 1
  ),
  outcome as (
    select pg_catalog.width_bucket(x.at, e.starts) as period,
      pg_catalog.count(distinct x.id) filter (where x.ended)::int as ended,
      pg_catalog.count(distinct x.id) filter (where x.killed)::int as killed,
      pg_catalog.count(distinct x.id)::int as outcomes,
      pg_catalog.count(distinct x.id) filter (where x.success)::int as successes
    from (
      select v.id, v.status_changed_at as at, v.status = 'exited' as success, true as ended, v.status = 'killed' as killed
      from eva.ventures v where v.status in ('killed', 'sunset', 'exited')
      union all
      select t.venture_id, pg_catalog.min(t.created_at), true, false, false
      from eva.venture_stage_transitions t where t.to_stage >= 23 group by t.venture_id
    ) x, edges e
    group by 1
  ),
  dwell as (
    select pg_catalog.width_bucket(w.at, e.starts) as period, pg_catalog.count(*)::int as n, pg_catalog.avg(w.days) as days
    from (
      select t.created_at as at, extract(epoch from t.created_at - coalesce(
        pg_catalog.lag(t.created_at) over (partition by t.venture_id order by t.created_at, t.id), v.created_at)) / 86400 as days
      from eva.venture_stage_transitions t join eva.ventures v on v.id = t.venture_id
    ) w, edges e
    group by 1
  ),
  -- The evaluations, and those that auto-proceeded, each counted from its own partial index
  -- (migration 050) without reading an event's payload.
  dfe as (
    select y.period, pg_catalog.count(*) filter (where not y.auto)::int as n,
      pg_catalog.count(*) filter (where y.auto)::int as auto
    from (
      select pg_catalog.width_bucket(x.created_at, e.starts) as period, false as auto
      from eva.eva_event_log x, edges e where x.event_type = 'dfe.evaluated'
      union all
      select pg_catalog.width_bucket(x.created_at, e.starts), true
      from eva.eva_event_log x, edges e where x.event_type = 'dfe.evaluated' and x.payload ->> 'output' = 'AUTO_PROCEED'
    ) y
    group by 1
  ),
  -- Each launch scorecard version, its revenue and its period (0: before the first). A version counts
  -- at the end of every period from its own on (created_at before that period's end) until a higher
  -- version of the same venture counts too: that venture's latest version, as of each period's end.
  scorecard as (
    select a.venture_id, a.version, a.epistemic_classification,
      greatest(pg_catalog.width_bucket(a.created_at, e.starts), 1) as from_period,
      (select pg_catalog.sum((m ->> 'value')::numeric)
       from pg_catalog.jsonb_array_elements(
         case when pg_catalog.jsonb_typeof(a.content -> 'aarrr' -> 'revenue') = 'array' then a.content -> 'aarrr' -> 'revenue' else '[]'::jsonb end) m
       where m ->> 'name' ~* '(mrr|revenue)' and m ->> 'name' !~ '%' and pg_catalog.jsonb_typeof(m -> 'value') = 'number') as revenue
    from eva.venture_artifacts a, edges e
    where a.artifact_type = 'launch_scorecard' and a.lifecycle_stage = 24
  ),
  latest as (
    select s.*, pg_catalog.min(s.from_period) over (
      partition by s.venture_id order by s.version desc rows between unbounded preceding and 1 preceding) as until_period
    from scorecard s
  ),
  revenue as (
    select p.period, pg_catalog.sum(l.revenue) as revenue, pg_catalog.count(l.revenue)::int as ventures,
      coalesce(pg_catalog.bool_or(l.epistemic_classification = 'simulation') filter (where l.revenue is not null), false) as simulated
    from latest l join periods p on p.period >= l.from_period and (l.until_period is null or p.period < l.until_period)
    group by p.period
  )
  select p.period, p.period_start, p.period_end,
    coalesce(c.n, 0),
    coalesce(o.ended, 0), coalesce(o.killed, 0),
    pg_catalog.round(o.killed::numeric / nullif(o.ended, 0), 4),
    coalesce(o.outcomes, 0), coalesce(o.successes, 0),
    pg_catalog.round(o.successes::numeric / nullif(o.outcomes, 0), 4),
    coalesce(d.n, 0), pg_catalog.round(d.days::numeric, 2),
    coalesce(f.n, 0), pg_catalog.round(f.auto::numeric / nullif(f.n, 0), 4),
    r.revenue, coalesce(r.ventures, 0), coalesce(r.simulated, false)
  from periods p
  left join created c on c.period = p.period
  left join outcome o on o.period = p.period
  left join dwell d on d.period = p.period
  left join dfe f on f.period = p.period
  left join revenue r on r.period = p.period
  order by p.period;
$$;

comment on function eva.fn_portfolio_metrics_history(int) is
  'The portfolio''s vital signs over time: from the first venture''s creation to now in p_periods (1-120, default 12) equal periods, each with what happened in it (ventures ended and killed, kill rate, outcomes and success rate, stage transitions and mean days a stage took, DFE evaluations and AUTO_PROCEED rate) and the revenue of the latest launch scorecards at its end (revenue_simulated when one is a simulation). A rate is null when its period had nothing to count; no value is carried over or interpolated.';
grant execute on function eva.fn_portfolio_metrics_history(int) to eva_chairman, eva_service, eva_viewer;
