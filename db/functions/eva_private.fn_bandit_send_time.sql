-- The send time of a dispatch chosen by Thompson sampling: when the venture
-- has a send-time bandit for the platform (seeded at launch), one of its
-- slots (UTC HH:MI) is selected and recorded with its draws and the
-- probability it had of being picked (the dispatch as
-- subject); the result is the slot's next occurrence after p_after. Null
-- when there is no such bandit: the platform's default send time applies.
create or replace function eva_private.fn_bandit_send_time(p_venture_id uuid, p_platform text, p_after timestamptz,
  p_subject_id uuid default null)
returns timestamptz
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_bandit uuid;
  v_sel marketing.bandit_selections;
  v_slot timestamptz;
begin
  select b.id into v_bandit from marketing.bandit_state b
  where b.venture_id = p_venture_id and b.scope = 'send_time' and b.scope_key = p_platform and b.status = 'active'
    and exists (select 1 from marketing.bandit_arms a where a.bandit_id = b.id and a.status <> 'retired'
                and a.arm_value ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$');
  if v_bandit is null then
    return null;
  end if;
  v_sel := marketing.fn_bandit_select(v_bandit, 'send_time', p_subject_id);
  perform eva_private.fn_bandit_note_probability(v_sel.id);
  if v_sel.arm_value !~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' then
    return null;
  end if;
  v_slot := pg_catalog.timezone('UTC', pg_catalog.date_trunc('day', pg_catalog.timezone('UTC', p_after)) + v_sel.arm_value::time);
  return case when v_slot > p_after then v_slot else v_slot + interval '1 day' end;
end;
$$;
comment on function eva_private.fn_bandit_send_time(uuid, text, timestamptz, uuid) is
  'The next occurrence after p_after of the send-time slot Thompson sampling picks from the venture''s send-time bandit for the platform (the selection recorded); null when it has none.';
grant execute on function eva_private.fn_bandit_send_time(uuid, text, timestamptz, uuid) to eva_service;
