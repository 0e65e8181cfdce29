-- ln Γ(x) for x > 0 (PostgreSQL 15 has no lgamma): the Lanczos approximation
-- (g = 7, nine coefficients), relative error below 1e-14, with the
-- reflection formula below 0.5.
create or replace function eva_private.fn_bandit_lgamma(p_x double precision)
returns double precision
language plpgsql
immutable
strict
parallel safe
set search_path = pg_catalog, pg_temp
as $$
declare
  c double precision[] := array[0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  v_x double precision := p_x;
  v_a double precision;
  v_t double precision;
begin
  if v_x < 0.5 then
    return pg_catalog.ln(pi() / pg_catalog.abs(pg_catalog.sin(pi() * v_x))) - eva_private.fn_bandit_lgamma(1.0 - v_x);
  end if;
  v_x := v_x - 1.0;
  v_a := c[1];
  v_t := v_x + 7.5;
  for i in 1..8 loop
    v_a := v_a + c[i + 1] / (v_x + i);
  end loop;
  return 0.5 * pg_catalog.ln(2.0 * pi()) + (v_x + 0.5) * pg_catalog.ln(v_t) - v_t + pg_catalog.ln(v_a);
end;
$$;
comment on function eva_private.fn_bandit_lgamma(double precision) is
  'ln Γ(p_x), Lanczos approximation (relative error < 1e-14): for the exact Beta quantiles.';
grant execute on function eva_private.fn_bandit_lgamma(double precision) to eva_service;
