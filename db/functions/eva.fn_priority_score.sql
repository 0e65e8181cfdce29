-- The priority formula's one expression (spec §10; terms in eva.fn_venture_priority):
-- the stored part (ventures.priority_base) plus the dwell term, the only one that
-- moves with the clock. Shared by eva.fn_venture_priority and eva.decision_queue
-- (which holds a pending decision's copy of both inputs). No SET clause, one
-- expression: inlined where it is used.
create or replace function eva.fn_priority_score(p_base numeric, p_stage_entered_at timestamptz)
returns numeric
language sql
stable
as $$
  select pg_catalog.round(p_base
    + 0.10 * 100 / greatest(extract(epoch from pg_catalog.now() - p_stage_entered_at) / 86400, 1), 2);
$$;
comment on function eva.fn_priority_score(numeric, timestamptz) is
  'Priority score, 0-100: the stored part (ventures.priority_base: revenue, health, stage, downstream) plus 0.10 × the dwell term 100/max(days since p_stage_entered_at, 1), rounded to two decimals.';
grant execute on function eva.fn_priority_score(numeric, timestamptz) to eva_chairman, eva_service, eva_viewer;
