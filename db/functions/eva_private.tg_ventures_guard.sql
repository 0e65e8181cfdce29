-- Holds the status state machine for every path that changes a venture, and
-- stamps when the status or stage last changed (dwell time feeds priority).
create or replace function eva_private.tg_ventures_guard()
returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  if new.status is distinct from old.status then
    if not eva_private.venture_status_transition_allowed(old.status, new.status) then
      raise exception 'venture "%" cannot go from % to %', old.name, old.status, new.status
        using errcode = 'EV409',
              hint = case when old.status in ('killed', 'sunset', 'exited')
                then 'The venture has ended; create a new venture instead.'
                else 'Allowed from ' || old.status || ': see eva_private.venture_status_transition_allowed.' end;
    end if;
    -- A venture waits while its blocking decision is pending: only deciding
    -- (eva.fn_decide) or a re-run (which supersedes it) lets it go on.
    if old.status = 'awaiting_decision' and new.status = 'active' and exists (
      select 1 from eva.chairman_decisions d where d.venture_id = new.id and d.status = 'pending' and d.blocking) then
      raise exception 'venture "%" is waiting for a Chairman decision: it cannot be set active while the decision is pending', old.name
        using errcode = 'EV423', hint = 'The Chairman decides first: eva decisions list.';
    end if;
    new.status_changed_at := pg_catalog.now();
  end if;
  if new.current_lifecycle_stage is distinct from old.current_lifecycle_stage then
    new.stage_entered_at := pg_catalog.now();
  end if;
  return new;
end;
$$;
comment on function eva_private.tg_ventures_guard() is 'Trigger: enforces legal venture status transitions and stamps status/stage change times.';

create or replace trigger _200_guard before update on eva.ventures
  for each row execute function eva_private.tg_ventures_guard();
