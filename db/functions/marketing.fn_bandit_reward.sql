-- The reward of a rollup window (spec §17.5), each rate clamped to [0, 1]:
--   engagement = engagements / exposures   (0 without exposures)
--   conversion = conversions / clicks      (0 without clicks)
--   reward     = 0.3 × engagement + 0.7 × conversion   (bandit_parameters' weights)
-- Exposures are the window's impressions, or its email deliveries where a
-- platform counts no impressions. Conversion is per click, not per
-- impression: per impression it would be a hundredth of engagement and the
-- loop would reward clickbait, which is what the 0.7 weight is there to stop.
create or replace function marketing.fn_bandit_reward(
  p_exposures bigint,
  p_engagements bigint,
  p_clicks bigint,
  p_conversions bigint,
  out engagement numeric,
  out conversion numeric,
  out reward numeric
)
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_p marketing.bandit_parameters;
begin
  select * into v_p from marketing.bandit_parameters where id;
  engagement := case when coalesce(p_exposures, 0) > 0
    then least(1, greatest(0, coalesce(p_engagements, 0)::numeric / p_exposures)) else 0 end;
  conversion := case when coalesce(p_clicks, 0) > 0
    then least(1, greatest(0, coalesce(p_conversions, 0)::numeric / p_clicks)) else 0 end;
  reward := least(1, greatest(0, v_p.engagement_weight * engagement + v_p.conversion_weight * conversion));
end;
$$;
comment on function marketing.fn_bandit_reward(bigint, bigint, bigint, bigint) is
  'The composite reward of a window: engagement = engagements / exposures, conversion = conversions / clicks (each clamped to [0, 1], 0 when its denominator is 0), reward = 0.3 × engagement + 0.7 × conversion (weights from marketing.bandit_parameters).';
grant execute on function marketing.fn_bandit_reward(bigint, bigint, bigint, bigint) to eva_chairman, eva_service, eva_viewer;
