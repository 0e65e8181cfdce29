-- A venture's bandit of a scope (and key) with at least these arms, created
-- where missing at the uniform prior Beta(1, 1); arms it already has keep
-- what they learned. Returns the bandit's id. The schedule makes a variant
-- bandit per content item and platform this way, Stage 23 the send-time ones.
create or replace function marketing.fn_bandit_ensure(p_venture_id uuid, p_scope text, p_scope_key text, p_arm_values text[])
returns uuid
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_bandit uuid;
begin
  if p_scope is null or p_scope not in ('channel', 'variant', 'send_time') then
    raise exception 'unknown bandit scope "%"', p_scope using errcode = 'EV400', hint = 'Scopes: channel, variant, send_time.';
  end if;
  if not exists (select 1 from eva.ventures v where v.id = p_venture_id) then
    raise exception 'no venture %', p_venture_id using errcode = 'EV404';
  end if;
  insert into marketing.bandit_state (venture_id, scope, scope_key)
  values (p_venture_id, p_scope, coalesce(p_scope_key, ''))
  on conflict (venture_id, scope, scope_key) do update set updated_at = marketing.bandit_state.updated_at
  returning id into v_bandit;
  insert into marketing.bandit_arms (bandit_id, venture_id, arm_type, arm_value)
  select v_bandit, p_venture_id, p_scope, x.value
  from (select distinct pg_catalog.btrim(a) as value from pg_catalog.unnest(coalesce(p_arm_values, '{}')) a
        where pg_catalog.btrim(a) <> '') x
  on conflict (bandit_id, arm_value) do nothing;
  return v_bandit;
end;
$$;
comment on function marketing.fn_bandit_ensure(uuid, text, text, text[]) is
  'The venture''s bandit for (scope, scope_key), created if missing, with the given arms added at Beta(1, 1) where missing; returns its id. EV400 unknown scope, EV404 unknown venture.';
grant execute on function marketing.fn_bandit_ensure(uuid, text, text, text[]) to eva_service;
