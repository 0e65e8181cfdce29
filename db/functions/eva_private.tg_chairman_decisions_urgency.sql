-- A decision's urgency is the Chairman's notification strategy (spec §11,
-- Decision #30), not the opener's guess: blocking Chairman gates (Stages 0, 10,
-- 22, 25) and DFE escalations that block are immediate; a non-blocking decision
-- at an advisory checkpoint (Stages 3, 5, 16, 23) waits for the daily digest,
-- any other non-blocking one for the weekly summary, except a parked idea's
-- revisit (a non-blocking Stage 0 review the daily nursery check opens), which
-- goes with the daily digest too. Set on every insert path
-- (the stage engine, Stage 0, post-launch anomalies, GraphQL, psql).
create or replace function eva_private.fn_decision_urgency(p_decision_type text, p_stage int, p_blocking boolean)
returns eva.decision_urgency
language sql
immutable
set search_path = pg_catalog, pg_temp
as $$
  select case
    when p_blocking then 'immediate'
    when p_stage in (3, 5, 16, 23) then 'daily'
    when p_decision_type = 'venture_review' then 'daily'
    else 'weekly'
  end::eva.decision_urgency;
$$;
comment on function eva_private.fn_decision_urgency(text, int, boolean) is
  'Decision #30: blocking gates (0, 10, 22, 25) and blocking DFE escalations → immediate; non-blocking at advisory checkpoints (3, 5, 16, 23) and nursery revisits (non-blocking venture_review) → daily; other non-blocking → weekly.';

create or replace function eva_private.tg_chairman_decisions_urgency()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  new.urgency := eva_private.fn_decision_urgency(new.decision_type, new.lifecycle_stage, new.blocking);
  return new;
end;
$$;
comment on function eva_private.tg_chairman_decisions_urgency() is
  'Trigger: sets a new decision''s urgency from eva_private.fn_decision_urgency (Decision #30).';

create or replace trigger _020_urgency before insert on eva.chairman_decisions
  for each row execute function eva_private.tg_chairman_decisions_urgency();
