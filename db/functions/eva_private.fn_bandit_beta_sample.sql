-- A draw from Beta(alpha, beta) as X / (X + Y), X ~ Gamma(alpha), Y ~ Gamma(beta):
-- what Thompson sampling draws per arm.
create or replace function eva_private.fn_bandit_beta_sample(p_alpha double precision, p_beta double precision)
returns double precision
language plpgsql
volatile
strict
parallel restricted
set search_path = pg_catalog, pg_temp
as $$
declare
  v_x double precision := eva_private.fn_bandit_gamma(p_alpha);
  v_y double precision := eva_private.fn_bandit_gamma(p_beta);
begin
  if v_x + v_y = 0 then
    return 0.5;
  end if;
  return v_x / (v_x + v_y);
end;
$$;
comment on function eva_private.fn_bandit_beta_sample(double precision, double precision) is
  'One draw from Beta(p_alpha, p_beta) via two gamma draws (eva_private.fn_bandit_gamma).';
grant execute on function eva_private.fn_bandit_beta_sample(double precision, double precision) to eva_service;
