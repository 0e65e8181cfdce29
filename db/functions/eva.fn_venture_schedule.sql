-- What is due and when (scheduler time): each venture's scheduled stage work
-- (kind ops_cycle for Stage 24, else stage_<n>) and its next health check,
-- with its cadence; one venture or all that are not ended. Ordered by due time.
create or replace function eva.fn_venture_schedule(p_venture_id uuid default null)
returns table (
  venture_id uuid,
  venture_name text,
  kind text,
  due_at timestamptz,
  risk_band text,
  cadence_source text,
  cadence_interval interval
)
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select * from (
    select v.id, v.name, case when w.lifecycle_stage = 24 then 'ops_cycle' else 'stage_' || w.lifecycle_stage end,
      w.due_at, c.risk_band, c.source, c.ops_cycle
    from eva.venture_stage_work w
    join eva.ventures v on v.id = w.venture_id
    left join eva.venture_cadence c on c.venture_id = v.id
    where w.status = 'scheduled' and (p_venture_id is null or v.id = p_venture_id)
    union all
    select v.id, v.name, 'health_check', c.next_health_check_at, c.risk_band, c.source, c.health_check
    from eva.venture_cadence c
    join eva.ventures v on v.id = c.venture_id
    where v.status not in ('killed', 'sunset', 'exited') and c.next_health_check_at is not null
      and (p_venture_id is null or v.id = p_venture_id)
  ) s
  order by 4, 2, 3;
$$;
comment on function eva.fn_venture_schedule(uuid) is
  'What is due and when on the scheduler''s clock: scheduled stage work (ops_cycle = the next Stage 24 run) and health checks, per venture, ordered by due time.';
grant execute on function eva.fn_venture_schedule(uuid) to eva_chairman, eva_service;
