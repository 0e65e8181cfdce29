-- THE drip state machine's transition: one subscriber's state after its step
-- p_step was sent (p_outcome sent, with the provider's id), skipped (its
-- condition failed), failed (a retry later, backing off) or refused (the
-- provider refused it for good: the step is given up and the state moves on).
-- Moving on: current_step = p_step, the next step due after its delay, or
-- completed after the last. A state already past p_step is left as it is
-- (a report that arrives twice changes nothing).
create or replace function marketing.fn_email_advance(p_state uuid, p_step int, p_provider_id text, p_outcome text, p_error text default null)
returns marketing.marketing_email_state
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_state marketing.marketing_email_state;
  v_now timestamptz := eva.fn_scheduler_now();
  v_next marketing.marketing_email_steps;
  v_attempts int;
begin
  if p_outcome is null or p_outcome not in ('sent', 'skipped', 'failed', 'refused') then
    raise exception 'outcome must be sent, skipped, failed or refused, not %', coalesce(p_outcome, 'null') using errcode = 'EV400';
  end if;
  select * into v_state from marketing.marketing_email_state where id = p_state for update;
  if not found then
    raise exception 'email state % does not exist', coalesce(p_state::text, 'null') using errcode = 'EV404';
  end if;
  if v_state.current_step >= p_step or v_state.status <> 'active' then
    return v_state;
  end if;
  if p_outcome = 'failed' then
    update marketing.marketing_email_sends set error = p_error where state_id = p_state and step_number = p_step
    returning attempts into v_attempts;
    update marketing.marketing_email_state
    set next_send_at = v_now + pg_catalog.make_interval(mins => least(5 * (2 ^ least(coalesce(v_attempts, 1), 8))::int, 24 * 60)),
      updated_at = pg_catalog.now()
    where id = p_state returning * into v_state;
    return v_state;
  end if;
  if p_outcome = 'sent' then
    update marketing.marketing_email_sends set status = 'sent', provider_id = p_provider_id, sent_at = pg_catalog.now(), error = null
    where state_id = p_state and step_number = p_step;
  elsif p_outcome = 'refused' then
    update marketing.marketing_email_sends set status = 'failed', error = p_error where state_id = p_state and step_number = p_step;
  end if;
  select * into v_next from marketing.marketing_email_steps s where s.campaign_id = v_state.campaign_id and s.step_number = p_step + 1;
  update marketing.marketing_email_state set current_step = p_step,
    last_sent_at = case when p_outcome = 'sent' then pg_catalog.now() else last_sent_at end,
    status = case when v_next.step_number is null then 'completed' else 'active' end,
    next_send_at = case when v_next.step_number is null then null
      else v_now + pg_catalog.make_interval(secs => v_next.delay_hours * 3600) end,
    updated_at = pg_catalog.now()
  where id = p_state returning * into v_state;
  return v_state;
end;
$$;
comment on function marketing.fn_email_advance(uuid, int, text, text, text) is
  'Advances one subscriber''s drip state after step p_step: sent (provider id recorded), skipped (condition failed), failed (retried later with backoff) or refused (given up); then the next step is due after its delay, or the state is completed. Idempotent per step.';
grant execute on function marketing.fn_email_advance(uuid, int, text, text, text) to eva_service;
