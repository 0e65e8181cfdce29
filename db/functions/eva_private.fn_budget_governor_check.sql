-- budget:governor:check (daily 7:00 UTC, spec §17.11): every budget's month
-- spend recomputed from the ledger (a new month starts at zero) and its 80 %
-- alert raised once a month. Returns how many alerts it raised.
create or replace function eva_private.fn_budget_governor_check()
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_n int := 0;
  v_id uuid;
begin
  for v_id in select b.id from marketing.marketing_channel_budgets b order by b.id loop
    if eva_private.fn_marketing_budget_alert(v_id) then
      v_n := v_n + 1;
    end if;
  end loop;
  return v_n;
end;
$$;
comment on function eva_private.fn_budget_governor_check() is
  'Recomputes every budget''s month spend and raises its monthly alert at alert_ratio (80 %); returns the alerts raised.';
grant execute on function eva_private.fn_budget_governor_check() to eva_service;
