-- Pausing a subscription: a disabled one gets no new deliveries (events logged
-- meanwhile are not delivered to it later); deliveries already queued still run.
create or replace function eva.fn_set_event_subscription_enabled(p_name text, p_enabled boolean)
returns eva.event_subscriptions
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row eva.event_subscriptions;
begin
  update eva.event_subscriptions s set enabled = p_enabled, updated_at = pg_catalog.now()
  where s.name = p_name returning * into v_row;
  if v_row.id is null then
    raise exception 'no subscription named "%"', p_name using errcode = 'EV404';
  end if;
  return v_row;
end;
$$;
comment on function eva.fn_set_event_subscription_enabled(text, boolean) is
  'Enables or disables a subscription by name (EV404 unknown).';
grant execute on function eva.fn_set_event_subscription_enabled(text, boolean) to eva_chairman;
