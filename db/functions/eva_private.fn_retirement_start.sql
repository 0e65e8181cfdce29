-- The venture retirement saga (spec §14, §15, Decision #25), started once for
-- every venture that ends: killed (by a gate, the reality gate's retries or
-- the Chairman), sunset or exited. Kills at the Stage 3 and 5 kill gates and
-- reality-gate kills have no users yet: notify_users and export_data are
-- recorded skipped with the reason. The first step has a day to start; each
-- step after it the same (the notice period extends it).
create or replace function eva_private.fn_retirement_start(p_venture_id uuid, p_ended_as text, p_reason text)
returns uuid
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_venture eva.ventures;
  v_id uuid;
  v_reality boolean;
  v_skip jsonb := '{}'::jsonb;
  v_why text;
  v_decision text := nullif(pg_catalog.current_setting('eva.ending_decision', true), '');
begin
  select s.id into v_id from eva.eva_sagas s where s.venture_id = p_venture_id and s.saga_type = 'venture_retirement';
  if found then
    return v_id;
  end if;
  select * into v_venture from eva.ventures where id = p_venture_id;
  v_reality := coalesce(p_reason, '') like 'killed_at_reality_gate%';
  if p_ended_as = 'killed' and (v_reality or v_venture.current_lifecycle_stage in (3, 5)) then
    v_why := case when v_reality then 'killed at the stage ' || v_venture.current_lifecycle_stage || ' reality gate'
      else 'killed at the stage ' || v_venture.current_lifecycle_stage || ' kill gate' end
      || ': the venture has no users yet, so there is no one to notify and no user data to export (spec §15)';
    v_skip := pg_catalog.jsonb_build_object('notify_users', v_why, 'export_data', v_why);
  end if;
  v_id := eva_private.fn_saga_start(p_venture_id, 'venture_retirement',
    array['notify_users', 'export_data', 'teardown_infra', 'archive_code', 'retrospective'], 'worker',
    pg_catalog.jsonb_build_object(
      'ended_as', p_ended_as,
      'reason', p_reason,
      'stage_of_death', v_venture.current_lifecycle_stage,
      'kill_source', case
        when v_reality then 'reality_gate'
        when coalesce(p_reason, '') like 'killed at stage %' then 'kill_gate'
        when v_decision is not null or coalesce(p_reason, '') like 'Chairman decided%' then 'chairman'
        else 'status_change' end,
      'decision_id', v_decision,
      -- The export reads the event log up to here, so a re-run packs the same bytes.
      'events_upto', (select max(e.id) from eva.eva_event_log e),
      -- The users' notification period (notify_users): none for a kill (nothing
      -- launched to leave), settings saga.notice_days (30) for sunset and exit.
      'notice_days', case when p_ended_as = 'killed' then 0 else coalesce(
        (select (s.value #>> '{}')::numeric from eva_private.settings s where s.key = 'saga.notice_days'), 30) end,
      'ended_at', pg_catalog.now()),
    interval '1 day', v_skip);
  return v_id;
end;
$$;
comment on function eva_private.fn_retirement_start(uuid, text, text) is
  'Starts the venture_retirement saga of an ended venture once (notify_users, export_data, teardown_infra, archive_code, retrospective); kills at stages 3 and 5 and reality-gate kills skip the first two. Returns the saga id.';
