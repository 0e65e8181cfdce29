-- The drip state machine's due half (17.4: states whose next_send_at has come,
-- status active): a subscriber suppressed at the venture stops here (status
-- suppressed, nothing sent); a step whose condition on the previous email
-- fails is skipped (the state moves on through marketing.fn_email_advance);
-- every other due step becomes a pending send with its Idempotency-Key, written
-- before any call to Resend, and is returned for sending. A pending send left
-- by a crash is returned again with the same key. States of paused campaigns
-- wait. Rows are locked with SKIP LOCKED, so two senders never take one.
create or replace function marketing.fn_email_claim_due(p_limit int default 100)
returns table (send_id uuid, idempotency_key text, state_id uuid, venture_id uuid, campaign_id uuid, subscriber_id uuid, step_number int,
  to_email text, from_address text, from_name text, subject text, body_text text, body_html text)
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
  v_now timestamptz := eva.fn_scheduler_now();
  v_state record;
  v_step marketing.marketing_email_steps;
  v_previous marketing.marketing_email_sends;
  v_holds boolean;
  v_send marketing.marketing_email_sends;
  v_after marketing.marketing_email_state;
  v_seen int := 0;
begin
  for v_state in
    select st.id, st.campaign_id, st.subscriber_id, st.current_step, c.venture_id, c.from_address, c.from_name, sub.email
    from marketing.marketing_email_state st
    join marketing.marketing_email_campaigns c on c.id = st.campaign_id and c.status = 'active'
    join marketing.marketing_email_subscribers sub on sub.id = st.subscriber_id
    where st.status = 'active' and st.next_send_at <= v_now
    order by st.next_send_at
    limit greatest(coalesce(p_limit, 100), 1)
    for update of st skip locked
  loop
    if exists (select 1 from marketing.marketing_email_suppressions s where s.venture_id = v_state.venture_id and s.email = v_state.email) then
      update marketing.marketing_email_state set status = 'suppressed', next_send_at = null, updated_at = pg_catalog.now()
      where id = v_state.id;
      continue;
    end if;
    -- Steps whose condition fails are skipped one after the other until one is sent, not yet due, or none is left.
    loop
      select * into v_step from marketing.marketing_email_steps s
      where s.campaign_id = v_state.campaign_id and s.step_number = v_state.current_step + 1;
      if not found then
        update marketing.marketing_email_state set status = 'completed', next_send_at = null, updated_at = pg_catalog.now()
        where id = v_state.id;
        exit;
      end if;
      v_holds := true;
      if v_step.condition <> 'always' then
        v_previous := null;
        select * into v_previous from marketing.marketing_email_sends ps
        where ps.state_id = v_state.id and ps.step_number = v_state.current_step and ps.status = 'sent';
        v_holds := case v_step.condition
          when 'opened_previous' then marketing.fn_email_event_seen(v_state.venture_id, v_previous.provider_id, 'open')
          when 'not_opened_previous' then not marketing.fn_email_event_seen(v_state.venture_id, v_previous.provider_id, 'open')
          when 'clicked_previous' then marketing.fn_email_event_seen(v_state.venture_id, v_previous.provider_id, 'click')
          when 'not_clicked_previous' then not marketing.fn_email_event_seen(v_state.venture_id, v_previous.provider_id, 'click')
          else true end;
      end if;
      if not v_holds then
        v_after := marketing.fn_email_advance(v_state.id, v_step.step_number, null, 'skipped');
        v_state.current_step := v_after.current_step;
        exit when v_after.status <> 'active' or v_after.next_send_at > v_now;
        continue;
      end if;
      insert into marketing.marketing_email_sends (state_id, step_number, idempotency_key, attempts)
      values (v_state.id, v_step.step_number, 'eva-email-' || v_state.id || '-' || v_step.step_number, 1)
      on conflict (state_id, step_number) do update set attempts = marketing_email_sends.attempts + 1
      returning * into v_send;
      exit when v_send.status <> 'pending';
      send_id := v_send.id; idempotency_key := v_send.idempotency_key; state_id := v_state.id; venture_id := v_state.venture_id;
      campaign_id := v_state.campaign_id; subscriber_id := v_state.subscriber_id; step_number := v_step.step_number;
      to_email := v_state.email; from_address := v_state.from_address; from_name := v_state.from_name;
      subject := v_step.subject; body_text := v_step.body_text; body_html := v_step.body_html;
      -- Not due again until the sender reports back (or a crash's retry after 10 minutes).
      update marketing.marketing_email_state set next_send_at = v_now + interval '10 minutes', updated_at = pg_catalog.now()
      where id = v_state.id;
      return next;
      exit;
    end loop;
  end loop;
end;
$$;
comment on function marketing.fn_email_claim_due(int) is
  'Takes up to p_limit due drip states: suppressed subscribers stop, steps whose condition fails are skipped, the rest become pending sends (Idempotency-Key eva-email-<state>-<step>) returned for sending; a claimed state is due again in 10 minutes unless marketing.fn_email_advance reports the send.';
grant execute on function marketing.fn_email_claim_due(int) to eva_service;
