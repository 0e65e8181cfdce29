-- The venture status state machine. Terminal states (killed, sunset, exited)
-- have no way out; a paused venture resumes to active or is stopped.
create or replace function eva_private.venture_status_transition_allowed(p_from eva.venture_status, p_to eva.venture_status)
returns boolean
language sql
immutable
strict
set search_path = pg_catalog, pg_temp
as $$
  select case p_from
    when 'active' then p_to in ('awaiting_decision', 'paused', 'killed', 'sunset', 'exited')
    when 'awaiting_decision' then p_to in ('active', 'paused', 'killed', 'sunset', 'exited')
    when 'paused' then p_to in ('active', 'killed', 'sunset', 'exited')
    else false
  end;
$$;
comment on function eva_private.venture_status_transition_allowed(eva.venture_status, eva.venture_status) is
  'The legal venture status moves: active <-> awaiting_decision, active/awaiting_decision -> paused -> active, any live status -> killed/sunset/exited (terminal).';
