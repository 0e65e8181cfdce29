-- The regularized incomplete beta function I_x(a, b), the CDF of Beta(a, b):
-- its continued fraction by the modified Lentz method (Numerical Recipes
-- §6.4), on the side of x where it converges fast.
create or replace function eva_private.fn_bandit_beta_cdf(p_x double precision, p_a double precision, p_b double precision)
returns double precision
language plpgsql
immutable
strict
parallel safe
set search_path = pg_catalog, pg_temp
as $$
declare
  v_swap boolean;
  v_x double precision;
  v_a double precision;
  v_b double precision;
  v_front double precision;
  v_f double precision;
  v_c double precision;
  v_d double precision;
  v_num double precision;
  v_m int;
  v_delta double precision;
  tiny constant double precision := 1e-300;
begin
  if p_x <= 0 then return 0; end if;
  if p_x >= 1 then return 1; end if;
  v_swap := p_x > (p_a + 1.0) / (p_a + p_b + 2.0);
  if v_swap then
    v_x := 1.0 - p_x; v_a := p_b; v_b := p_a;
  else
    v_x := p_x; v_a := p_a; v_b := p_b;
  end if;
  v_front := pg_catalog.exp(eva_private.fn_bandit_lgamma(v_a + v_b) - eva_private.fn_bandit_lgamma(v_a)
    - eva_private.fn_bandit_lgamma(v_b) + v_a * pg_catalog.ln(v_x) + v_b * pg_catalog.ln(1.0 - v_x)) / v_a;
  v_f := 1.0; v_c := 1.0; v_d := 0.0;
  for i in 0..20000 loop
    v_m := i / 2;
    if i = 0 then
      v_num := 1.0;
    elsif i % 2 = 0 then
      v_num := (v_m * (v_b - v_m) * v_x) / ((v_a + 2.0 * v_m - 1.0) * (v_a + 2.0 * v_m));
    else
      v_num := -((v_a + v_m) * (v_a + v_b + v_m) * v_x) / ((v_a + 2.0 * v_m) * (v_a + 2.0 * v_m + 1.0));
    end if;
    v_d := 1.0 + v_num * v_d;
    if pg_catalog.abs(v_d) < tiny then v_d := tiny; end if;
    v_d := 1.0 / v_d;
    v_c := 1.0 + v_num / v_c;
    if pg_catalog.abs(v_c) < tiny then v_c := tiny; end if;
    v_delta := v_c * v_d;
    v_f := v_f * v_delta;
    exit when pg_catalog.abs(1.0 - v_delta) < 1e-15;
  end loop;
  -- v_f holds 1 + the fraction's first term; I_x = front × (f − 1).
  if v_swap then
    return 1.0 - v_front * (v_f - 1.0);
  end if;
  return v_front * (v_f - 1.0);
end;
$$;
comment on function eva_private.fn_bandit_beta_cdf(double precision, double precision, double precision) is
  'I_x(a, b), the CDF of Beta(a, b) at p_x (continued fraction, modified Lentz; accurate to ~1e-14).';
grant execute on function eva_private.fn_bandit_beta_cdf(double precision, double precision, double precision) to eva_service;
