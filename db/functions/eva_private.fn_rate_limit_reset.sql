-- publisher:rate-limit:reset (every 15 minutes, spec §17.11): windows whose
-- length has passed start again at zero, and headers whose reset time has
-- passed are forgotten. Idempotent: a second run finds nothing to reset.
create or replace function eva_private.fn_rate_limit_reset()
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_n int;
  v_h int;
begin
  update marketing.marketing_rate_limits r set used = 0, window_started_at = pg_catalog.now(), updated_at = pg_catalog.now()
  where r.window_started_at + r.window_length <= pg_catalog.now() and r.used > 0;
  get diagnostics v_n = row_count;
  update marketing.marketing_rate_limits r set header_remaining = null, header_reset_at = null, updated_at = pg_catalog.now()
  where r.header_reset_at <= pg_catalog.now();
  get diagnostics v_h = row_count;
  return v_n + v_h;
end;
$$;
comment on function eva_private.fn_rate_limit_reset() is
  'Resets rate-limit windows whose length has passed and forgets platform headers past their reset time; returns the rows reset.';
grant execute on function eva_private.fn_rate_limit_reset() to eva_service;
