-- Cadence follows health (spec §4): when a venture's health band changes
-- (Stage 25's review, the portfolio health scan), its cadence is re-derived
-- unless the Chairman set it; a declining band checks sooner.
create or replace function eva_private.tg_ventures_health_cadence()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_before eva.venture_cadence;
  v_after eva.venture_cadence;
begin
  select * into v_before from eva.venture_cadence where venture_id = new.id;
  v_after := eva_private.fn_venture_cadence(new.id, true);
  if v_before.venture_id is not null and v_before.risk_band is distinct from v_after.risk_band then
    perform eva_private.fn_log_event('schedule.cadence_changed', new.id, pg_catalog.jsonb_build_object(
      'from', v_before.risk_band, 'to', v_after.risk_band, 'healthStatus', new.health_status,
      'opsCycle', v_after.ops_cycle::text, 'healthCheck', v_after.health_check::text));
  end if;
  return null;
end;
$$;
comment on function eva_private.tg_ventures_health_cadence() is
  'Trigger: a venture''s health band changed: its cadence is re-derived (unless the Chairman set it) and the change logged.';

create or replace trigger _820_health_cadence after update of health_status on eva.ventures
  for each row when (new.health_status is distinct from old.health_status)
  execute function eva_private.tg_ventures_health_cadence();
