-- A nursery idea was re-evaluated (its fresh brief's review is open): counted
-- on the row, so the nursery shows how often an idea came back.
create or replace function eva_private.fn_nursery_note_reevaluation(p_nursery_id uuid)
returns int
language sql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
  update eva.venture_nursery set reevaluations = reevaluations + 1 where id = p_nursery_id returning reevaluations;
$$;
comment on function eva_private.fn_nursery_note_reevaluation(uuid) is
  'Counts a re-evaluation of a nursery idea (its fresh brief''s review was opened); returns the new count.';
grant execute on function eva_private.fn_nursery_note_reevaluation(uuid) to eva_service;
