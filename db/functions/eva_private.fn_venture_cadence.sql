-- A venture's cadence row, created on first use from its health band
-- (spec §4 Layer 3): new / unknown / critical / fragile → high risk
-- (weekly ops, daily checks, weekly summary); viable → moderate (bi-weekly
-- ops, checks every 3 days, bi-weekly summary); strong → stable (monthly
-- ops, weekly checks, monthly summary). With p_refresh a row that follows
-- the health band is re-derived (the Chairman's overrides stay).
create or replace function eva_private.fn_venture_cadence(p_venture_id uuid, p_refresh boolean default false)
returns eva.venture_cadence
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_band text;
  v_row eva.venture_cadence;
begin
  select case
      when v.health_status in ('strong') then 'stable'
      when v.health_status in ('viable') then 'moderate'
      else 'high' end
  into v_band
  from eva.ventures v where v.id = p_venture_id;
  if not found then
    raise exception 'venture % does not exist', p_venture_id using errcode = 'EV404';
  end if;
  insert into eva.venture_cadence as c (venture_id, risk_band, ops_cycle, health_check, chairman_summary, next_health_check_at)
  select p_venture_id, b.band, b.ops_cycle, b.health_check, b.chairman_summary, eva.fn_scheduler_now() + b.health_check
  from eva_private.fn_cadence_band(v_band) b
  on conflict (venture_id) do update
    set risk_band = excluded.risk_band, ops_cycle = excluded.ops_cycle, health_check = excluded.health_check,
        chairman_summary = excluded.chairman_summary,
        -- a more frequent check comes due sooner; a relaxed one waits for its current date
        next_health_check_at = least(c.next_health_check_at, excluded.next_health_check_at),
        updated_at = pg_catalog.now()
    where p_refresh and c.source = 'health' and c.risk_band is distinct from excluded.risk_band
  returning * into v_row;
  if v_row.venture_id is null then
    select * into v_row from eva.venture_cadence where venture_id = p_venture_id;
  end if;
  return v_row;
end;
$$;
comment on function eva_private.fn_venture_cadence(uuid, boolean) is
  'The venture''s cadence row, created from its health band when missing; p_refresh re-derives a health-following row (Chairman overrides stay).';

create or replace function eva_private.fn_cadence_band(p_band text)
returns table (band text, ops_cycle interval, health_check interval, chairman_summary interval)
language sql
immutable
set search_path = pg_catalog, pg_temp
as $$
  select p_band, t.ops, t.chk, t.summ
  from (values ('high', interval '7 days', interval '1 day', interval '7 days'),
               ('moderate', interval '14 days', interval '3 days', interval '14 days'),
               ('stable', interval '30 days', interval '7 days', interval '30 days')) t (b, ops, chk, summ)
  where t.b = p_band;
$$;
comment on function eva_private.fn_cadence_band(text) is
  'The spec''s cadence table (§4 Layer 3) per risk band: ops cycle, health check and Chairman summary intervals.';
