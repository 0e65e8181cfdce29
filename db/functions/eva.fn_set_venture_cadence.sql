-- The Chairman's cadence override for a venture: a risk band (its intervals
-- from the spec's table) and/or explicit ops-cycle and health-check
-- intervals, with a reason; the cadence then stops following the health band
-- until p_automatic hands it back (re-derived from the health band). The
-- new ops-cycle interval applies from the next cycle scheduled (an already
-- scheduled one keeps its due time; eva schedule run-now makes it due now).
create or replace function eva.fn_set_venture_cadence(
  p_venture_id uuid,
  p_risk_band text default null,
  p_ops_cycle interval default null,
  p_health_check interval default null,
  p_reason text default null,
  p_automatic boolean default false
)
returns eva.venture_cadence
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row eva.venture_cadence;
  v_band record;
begin
  if not exists (select 1 from eva.ventures where id = p_venture_id) then
    raise exception 'venture: no venture %', p_venture_id using errcode = 'EV404';
  end if;
  if coalesce(p_automatic, false) then
    if p_risk_band is not null or p_ops_cycle is not null or p_health_check is not null then
      raise exception 'automatic: hand the cadence back to the health band, or set a band or intervals, not both'
        using errcode = 'EV400';
    end if;
    update eva.venture_cadence set source = 'health', override_reason = null where venture_id = p_venture_id;
    perform eva_private.fn_venture_cadence(p_venture_id);
    v_row := eva_private.fn_venture_cadence(p_venture_id, true);
    -- re-derive even when the band is unchanged: the intervals return to the band's
    update eva.venture_cadence c set ops_cycle = b.ops_cycle, health_check = b.health_check,
      chairman_summary = b.chairman_summary, updated_at = pg_catalog.now()
    from eva_private.fn_cadence_band(v_row.risk_band) b
    where c.venture_id = p_venture_id
    returning c.* into v_row;
  else
    if p_risk_band is null and p_ops_cycle is null and p_health_check is null then
      raise exception 'risk_band, ops_cycle or health_check: say what the cadence is (or hand it back with automatic)'
        using errcode = 'EV400';
    end if;
    if p_risk_band is not null and p_risk_band not in ('high', 'moderate', 'stable') then
      raise exception 'risk_band: high, moderate or stable, not "%"', p_risk_band using errcode = 'EV400';
    end if;
    if p_ops_cycle is not null and (p_ops_cycle < interval '1 day' or p_ops_cycle > interval '365 days') then
      raise exception 'ops_cycle: between 1 day and 365 days, not %', p_ops_cycle using errcode = 'EV400';
    end if;
    if p_health_check is not null and (p_health_check < interval '1 hour' or p_health_check > interval '90 days') then
      raise exception 'health_check: between 1 hour and 90 days, not %', p_health_check using errcode = 'EV400';
    end if;
    if coalesce(pg_catalog.btrim(p_reason), '') = '' then
      raise exception 'reason: an override of the cadence needs a reason' using errcode = 'EV400';
    end if;
    perform eva_private.fn_venture_cadence(p_venture_id);
    select * into v_band from eva_private.fn_cadence_band(p_risk_band);
    update eva.venture_cadence c
    set risk_band = coalesce(p_risk_band, c.risk_band),
        ops_cycle = coalesce(p_ops_cycle, v_band.ops_cycle, c.ops_cycle),
        health_check = coalesce(p_health_check, v_band.health_check, c.health_check),
        chairman_summary = coalesce(v_band.chairman_summary, c.chairman_summary),
        source = 'chairman', override_reason = pg_catalog.btrim(p_reason), updated_at = pg_catalog.now()
    where c.venture_id = p_venture_id
    returning c.* into v_row;
    update eva.venture_cadence set next_health_check_at = least(next_health_check_at, eva.fn_scheduler_now() + health_check)
    where venture_id = p_venture_id
    returning * into v_row;
  end if;
  perform eva_private.fn_log_event('schedule.cadence_set', p_venture_id, pg_catalog.jsonb_build_object(
    'riskBand', v_row.risk_band, 'opsCycle', v_row.ops_cycle::text, 'healthCheck', v_row.health_check::text,
    'source', v_row.source, 'reason', v_row.override_reason));
  return v_row;
end;
$$;
comment on function eva.fn_set_venture_cadence(uuid, text, interval, interval, text, boolean) is
  'The Chairman sets a venture''s cadence (risk band and/or ops-cycle and health-check intervals, with a reason), or hands it back to the health band (p_automatic).';
grant execute on function eva.fn_set_venture_cadence(uuid, text, interval, interval, text, boolean) to eva_chairman;
