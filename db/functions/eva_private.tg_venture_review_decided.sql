-- When the Chairman decides a Stage 0 review (at the end of the deciding
-- transaction, after fn_apply_decision's effects): the outcome is recorded as
-- synthesis feedback (approved / parked / killed) for the cross-reference
-- component to learn from, an approved brief is linked to its new venture in
-- eva.venture_briefs, and a re-evaluated nursery idea is marked revived
-- (approved) or dropped (killed).
create or replace function eva_private.tg_venture_review_decided()
returns trigger
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_d eva.chairman_decisions;
  v_outcome text;
  v_brief_id uuid;
  v_brief jsonb;
  v_nursery uuid;
begin
  select * into v_d from eva.chairman_decisions d where d.id = new.id;
  v_outcome := case v_d.decision when 'approve' then 'approved' when 'kill' then 'killed'
    when 'park' then 'parked' when 'edit' then 'parked' end;
  if v_outcome is null then
    return null;
  end if;
  v_brief := coalesce(v_d.context -> 'brief', '{}'::jsonb);
  if v_d.decision = 'approve' and v_d.venture_id is not null then
    update eva.venture_briefs b set venture_id = v_d.venture_id where b.decision_id = v_d.id returning b.id into v_brief_id;
  else
    select b.id into v_brief_id from eva.venture_briefs b where b.decision_id = v_d.id;
  end if;
  insert into eva.venture_synthesis_feedback (decision_id, brief_id, outcome, name, origin_type, archetype,
    venture_score, problem_statement, notes)
  values (v_d.id, v_brief_id, v_outcome, coalesce(v_brief ->> 'name', 'unnamed idea'), v_brief ->> 'originType',
    coalesce(v_brief #>> '{metadata,synthesis,archetypes,primary}', v_brief ->> 'archetype'),
    case when pg_catalog.jsonb_typeof(v_brief -> 'ventureScore') = 'number'
      then pg_catalog.round((v_brief ->> 'ventureScore')::numeric)::int end,
    v_brief ->> 'problemStatement', v_d.notes)
  on conflict (decision_id) do nothing;

  v_nursery := (v_d.context ->> 'nurseryId')::uuid;
  if v_nursery is not null and v_d.decision in ('approve', 'kill') then
    update eva.venture_nursery n set status = case v_d.decision when 'approve' then 'revived' else 'dropped' end::eva.nursery_status
    where n.id = v_nursery and n.status = 'parked';
  end if;
  return null;
end;
$$;
comment on function eva_private.tg_venture_review_decided() is
  'Trigger (deferred): a decided Stage 0 review records synthesis feedback, links an approved brief to its venture, and settles a re-evaluated nursery idea.';

-- Constraint triggers have no "or replace": re-created on every migrate.
drop trigger if exists _850_venture_review_decided on eva.chairman_decisions;
create constraint trigger _850_venture_review_decided
  after update of status on eva.chairman_decisions deferrable initially deferred
  for each row when (new.decision_type = 'venture_review' and new.status = 'decided' and old.status <> 'decided')
  execute function eva_private.tg_venture_review_decided();
