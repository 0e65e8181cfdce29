-- The exact p-quantile of Beta(a, b): I_x(a, b) = p solved by Newton's method
-- on the incomplete beta function, kept inside a shrinking bisection bracket
-- (so it converges for every a, b > 0). The 95 % interval of an arm's
-- posterior is (fn_beta_quantile(0.025, α, β), fn_beta_quantile(0.975, α, β)).
create or replace function marketing.fn_beta_quantile(p_p double precision, p_a double precision, p_b double precision)
returns double precision
language plpgsql
immutable
strict
parallel safe
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_lo double precision := 0;
  v_hi double precision := 1;
  v_x double precision;
  v_f double precision;
  v_pdf double precision;
  v_next double precision;
  v_lbeta double precision;
begin
  if p_p < 0 or p_p > 1 or p_a <= 0 or p_b <= 0 then
    raise exception 'a Beta quantile needs 0 <= p <= 1 and a, b > 0 (got p %, a %, b %)', p_p, p_a, p_b using errcode = 'EV400';
  end if;
  if p_p = 0 then return 0; end if;
  if p_p = 1 then return 1; end if;
  v_lbeta := eva_private.fn_bandit_lgamma(p_a) + eva_private.fn_bandit_lgamma(p_b) - eva_private.fn_bandit_lgamma(p_a + p_b);
  -- Start at the mean, nudged inside (0, 1).
  v_x := least(greatest(p_a / (p_a + p_b), 1e-12), 1 - 1e-12);
  for i in 1..200 loop
    v_f := eva_private.fn_bandit_beta_cdf(v_x, p_a, p_b) - p_p;
    if v_f = 0 then
      return v_x;
    elsif v_f < 0 then
      v_lo := v_x;
    else
      v_hi := v_x;
    end if;
    v_pdf := pg_catalog.exp((p_a - 1) * pg_catalog.ln(v_x) + (p_b - 1) * pg_catalog.ln(1 - v_x) - v_lbeta);
    v_next := case when v_pdf > 0 and v_pdf < 'infinity'::double precision then v_x - v_f / v_pdf end;
    if v_next is null or v_next <= v_lo or v_next >= v_hi then
      v_next := (v_lo + v_hi) / 2;
    end if;
    exit when pg_catalog.abs(v_next - v_x) <= 1e-15 * greatest(v_x, 1e-300) or v_hi - v_lo <= 1e-15;
    v_x := v_next;
  end loop;
  return v_next;
end;
$$;
comment on function marketing.fn_beta_quantile(double precision, double precision, double precision) is
  'The exact p-quantile of Beta(a, b) (Newton on the regularized incomplete beta, safeguarded by bisection): an arm''s 95 % credible interval is the 0.025 and 0.975 quantiles of its posterior. EV400 outside 0 <= p <= 1, a, b > 0.';
grant execute on function marketing.fn_beta_quantile(double precision, double precision, double precision)
  to eva_chairman, eva_service, eva_viewer;
