-- Up Migration

-- The portfolio's AUTO_PROCEED rate (eva.portfolio_metrics, and per period in
-- eva.fn_portfolio_metrics_history) counts the Decision Filter Engine's
-- evaluations and those that auto-proceeded. Read from the event log, that
-- fetched every dfe.evaluated event's row for its payload's output: pages
-- spread over the whole log, a cost that grows with every stage run ever made
-- (15 ms of the 88 ms history read at 689 ventures). These two partial indexes
-- hold only those events' times, one for all evaluations and one for the
-- auto-proceeded, so each count is an index-only scan. Each stage run adds one
-- or two small entries.
create index eva_event_log_dfe_idx on eva.eva_event_log (created_at)
  where event_type = 'dfe.evaluated';
create index eva_event_log_dfe_auto_idx on eva.eva_event_log (created_at)
  where event_type = 'dfe.evaluated' and payload ->> 'output' = 'AUTO_PROCEED';

-- Down Migration
drop index if exists eva.eva_event_log_dfe_auto_idx;
drop index if exists eva.eva_event_log_dfe_idx;
