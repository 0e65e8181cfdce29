-- The clock-independent part of EVA's priority score (spec §10, see
-- eva.fn_venture_priority): revenue, health, stage and downstream, each on a
-- 0-100 scale, weighed as the spec does. Stored in ventures.priority_base by
-- trigger; plain arithmetic, so SQL can inline it.
create or replace function eva_private.fn_venture_priority_base(
  p_projected_revenue numeric,
  p_health_score numeric,
  p_stage int,
  p_downstream_revenue numeric
)
returns numeric
language sql
immutable
as $$
  select
      0.30 * least(100, 100 * pg_catalog.log(1 + greatest(coalesce(p_projected_revenue, 0), 0)) / 7)
    + 0.25 * 100 * coalesce(p_health_score, 0.5)
    + 0.15 * 100 * p_stage / 25.0
    + 0.20 * least(100, 100 * pg_catalog.log(1 + greatest(coalesce(p_downstream_revenue, 0), 0)) / 7);
$$;
comment on function eva_private.fn_venture_priority_base(numeric, numeric, int, numeric) is
  'Priority without the dwell term: 0.30 revenue + 0.25 health + 0.15 stage + 0.20 downstream (downstream: the summed projected revenue of the ventures waiting on this one).';
