-- Stage 11's GTM plan seeds the venture's channel bandit (spec §17.15): one
-- arm per channel of the plan, at the uniform prior Beta(1, 1) or, when the
-- venture inherited priors (intelligence_transfer_map), those. Idempotent: a
-- re-recorded plan adds its new channels and leaves learned arms alone; a
-- channel the plan dropped keeps its arm, marked out of the plan.
create or replace function eva_private.fn_marketing_seed_channel_arms(p_venture_id uuid, p_gtm jsonb)
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_bandit uuid;
  v_channels jsonb := case when pg_catalog.jsonb_typeof(p_gtm -> 'channels') = 'array' then p_gtm -> 'channels' else '[]'::jsonb end;
  v_names text[];
begin
  select pg_catalog.array_agg(distinct pg_catalog.left(pg_catalog.btrim(c ->> 'name'), 200)) into v_names
  from pg_catalog.jsonb_array_elements(v_channels) c
  where pg_catalog.jsonb_typeof(c -> 'name') = 'string' and pg_catalog.btrim(c ->> 'name') <> '';
  if v_names is null then
    return 0;
  end if;

  insert into marketing.bandit_state (venture_id, scope, scope_key, metadata)
  values (p_venture_id, 'channel', '', pg_catalog.jsonb_build_object('seeded_from', 'gtm_strategy'))
  on conflict (venture_id, scope, scope_key) do update set status = 'active'
  returning id into v_bandit;

  insert into marketing.bandit_arms (bandit_id, venture_id, arm_type, arm_value, metadata)
  select distinct on (pg_catalog.left(pg_catalog.btrim(c ->> 'name'), 200)) v_bandit, p_venture_id, 'channel',
    pg_catalog.left(pg_catalog.btrim(c ->> 'name'), 200),
    pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object('in_plan', true, 'channel_type', c ->> 'channelType',
      'monthly_budget', c -> 'budget', 'primary_tier', c ->> 'primaryTier'))
  from pg_catalog.jsonb_array_elements(v_channels) c
  where pg_catalog.jsonb_typeof(c -> 'name') = 'string' and pg_catalog.btrim(c ->> 'name') <> ''
  on conflict (bandit_id, arm_value) do update
    set metadata = marketing.bandit_arms.metadata || excluded.metadata;

  update marketing.bandit_arms a set metadata = a.metadata || '{"in_plan": false}'
  where a.bandit_id = v_bandit and not (a.arm_value = any (v_names)) and coalesce((a.metadata ->> 'in_plan')::boolean, true);

  insert into marketing.marketing_venture_state (venture_id, channels_seeded_at) values (p_venture_id, pg_catalog.now())
  on conflict (venture_id) do update set channels_seeded_at = pg_catalog.now();
  perform eva_private.fn_log_event('marketing.channel_arms_seeded', p_venture_id, pg_catalog.jsonb_build_object(
    'bandit_id', v_bandit, 'channels', pg_catalog.to_jsonb(v_names), 'stage', 11));
  return pg_catalog.cardinality(v_names);
end;
$$;
comment on function eva_private.fn_marketing_seed_channel_arms(uuid, jsonb) is
  'Seeds (idempotently) the venture''s channel bandit with one arm per channel of a Stage 11 gtm_strategy; returns the number of channels in the plan.';
grant execute on function eva_private.fn_marketing_seed_channel_arms(uuid, jsonb) to eva_service;
