-- A venture's stored priority moved for another reason than its stage (its
-- revenue or health, or the downstream term of the ventures waiting on it):
-- venture.priority_changed tells the stage-run-rerank subscription, which
-- moves its queued stage_run jobs after this commits. A stage change needs no
-- such event: the next stage's job is queued with the new priority, and
-- stage.work_completed asks for a re-rank of the rest.
create or replace function eva_private.tg_ventures_priority_changed()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform eva_private.fn_log_event('venture.priority_changed', new.id, pg_catalog.jsonb_build_object(
    'from', old.priority_base, 'to', new.priority_base, 'projected_revenue', new.projected_revenue,
    'health_score', new.health_score));
  return null;
end;
$$;
comment on function eva_private.tg_ventures_priority_changed() is
  'Trigger: logs venture.priority_changed when ventures.priority_base moves without a stage change (the stage-run-rerank subscription re-ranks its queued jobs).';

create or replace trigger _720_priority_changed after update on eva.ventures
  for each row when (new.priority_base is distinct from old.priority_base
                     and new.current_lifecycle_stage is not distinct from old.current_lifecycle_stage)
  execute function eva_private.tg_ventures_priority_changed();
