-- A draw from Gamma(shape, 1) by Marsaglia and Tsang's method (2000): for
-- shape >= 1 a squeeze on a cubed normal (Box-Muller from random()); for
-- shape < 1 a Gamma(shape + 1) draw times U^(1/shape). random() follows the
-- session's setseed, so a seeded run repeats exactly.
create or replace function eva_private.fn_bandit_gamma(p_shape double precision)
returns double precision
language plpgsql
volatile
strict
parallel restricted
set search_path = pg_catalog, pg_temp
as $$
declare
  v_boost double precision := 1;
  v_a double precision := p_shape;
  v_d double precision;
  v_c double precision;
  v_x double precision;
  v_v double precision;
  v_u double precision;
begin
  if p_shape <= 0 then
    raise exception 'a gamma shape must be positive, not %', p_shape using errcode = 'EV400';
  end if;
  if v_a < 1 then
    v_boost := pg_catalog.power(1.0 - pg_catalog.random(), 1.0 / v_a);
    v_a := v_a + 1;
  end if;
  v_d := v_a - 1.0 / 3.0;
  v_c := 1.0 / pg_catalog.sqrt(9.0 * v_d);
  loop
    loop
      v_x := pg_catalog.sqrt(-2.0 * pg_catalog.ln(1.0 - pg_catalog.random())) * pg_catalog.cos(2.0 * pi() * pg_catalog.random());
      v_v := 1.0 + v_c * v_x;
      exit when v_v > 0;
    end loop;
    v_v := v_v * v_v * v_v;
    v_u := 1.0 - pg_catalog.random();
    if v_u < 1.0 - 0.0331 * v_x * v_x * v_x * v_x
       or pg_catalog.ln(v_u) < 0.5 * v_x * v_x + v_d * (1.0 - v_v + pg_catalog.ln(v_v)) then
      return v_boost * v_d * v_v;
    end if;
  end loop;
end;
$$;
comment on function eva_private.fn_bandit_gamma(double precision) is
  'One draw from Gamma(p_shape, 1) (Marsaglia-Tsang; shape < 1 by the U^(1/shape) boost). Seeded by setseed.';
grant execute on function eva_private.fn_bandit_gamma(double precision) to eva_service;
