-- A stage_run job's place in graphile-worker's queue (spec §10, Decision #27).
-- graphile-worker takes the lowest `priority` first (then the earliest run_at),
-- and EVA's priority score (eva.fn_venture_priority, 0-100) is highest for the
-- most valuable venture, so the job's priority is the score turned around and
-- kept to two decimals: round((100 - score) * 100), 0 (score 100) to 10000
-- (score 0). A venture that cannot be read queues last.
-- PL/pgSQL, not SQL: called for every stage_run job queued, and a SQL function
-- is parsed and planned on every call; this one keeps its plan per session.
create or replace function eva_private.fn_stage_run_priority(p_venture_id uuid)
returns int
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return coalesce((
    select least(10000, greatest(0, pg_catalog.round((100 - eva.fn_venture_priority(v)) * 100)))::int
    from eva.ventures v
    where v.id = p_venture_id), 10000);
end;
$$;
comment on function eva_private.fn_stage_run_priority(uuid) is
  'graphile-worker priority of a venture''s stage_run jobs: round((100 - eva.fn_venture_priority) * 100), 0..10000; lower runs first.';
