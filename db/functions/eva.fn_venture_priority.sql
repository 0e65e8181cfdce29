-- EVA's priority queue (spec §10, Decision #27): which venture's work and
-- decisions come first. The spec's formula adds raw currency to 0-100 terms,
-- so revenue would swamp everything else; here every term is first put on a
-- 0-100 scale and the spec's weights are kept:
--   revenue    = 100 * log10(1 + projected_revenue) / 7, clamped to 0..100
--                (coalesce 0; 10,000,000 a year or more scores 100)
--   health     = 100 * coalesce(health_score, 0.5)
--   stage      = 100 * current_lifecycle_stage / 25
--   downstream = the revenue scale applied to the summed projected_revenue of
--                the ventures waiting on this one (pending venture_dependencies)
--   dwell      = 100 / greatest(days since stage_entered_at, 1)
--   priority   = 0.30 revenue + 0.25 health + 0.15 stage + 0.20 downstream + 0.10 dwell
-- The result is 0..100, rounded to two decimals. Runs as the caller (RLS applies).
-- Only the dwell term depends on the clock: the other four are stored in
-- ventures.priority_base (eva_private.fn_venture_priority_base), kept by
-- triggers when projected_revenue, health_score, the stage or a dependency
-- (or a dependent's projected revenue) changes; the sum of the two is
-- eva.fn_priority_score. No SET clause and one expression, so a query inlines
-- it instead of calling it per row.
create or replace function eva.fn_venture_priority(p_venture eva.ventures)
returns numeric
language sql
stable
as $$
  select eva.fn_priority_score(p_venture.priority_base, p_venture.stage_entered_at);
$$;
comment on function eva.fn_venture_priority(eva.ventures) is
  E'Priority score of a venture, 0-100 (spec §10): 0.30 revenue + 0.25 health + 0.15 stage + 0.20 downstream + 0.10 dwell, each term on 0-100.\n'
  'revenue = 100*log10(1+projected_revenue)/7 capped at 100 (projected_revenue defaults to 0); health = 100*health_score (default 0.5); '
  'stage = 100*stage/25; downstream = the revenue scale of the summed projected revenue of ventures with a pending dependency on this one; '
  'dwell = 100/max(days in the current stage, 1).';
grant execute on function eva.fn_venture_priority(eva.ventures) to eva_chairman, eva_service, eva_viewer;
