-- Up Migration

-- The decision queue (eva.decision_queue) shows, for each pending decision,
-- its venture's name and a priority made of the venture's stored part
-- (priority_base) and its dwell in the stage (from stage_entered_at). Read
-- through a join, those three columns cost the queue a hash of every venture
-- on each read. Kept on the pending decision itself instead (by triggers:
-- eva_private.tg_chairman_decisions_venture_columns on insert,
-- eva_private.tg_ventures_queue_columns when the venture's change), the queue
-- reads the pending rows alone.
alter table eva.chairman_decisions
  add column venture_name text,
  add column venture_priority_base numeric,
  add column venture_stage_entered_at timestamptz;

comment on column eva.chairman_decisions.venture_name is
  'While pending: the venture''s name (eva.ventures.name), or for a Stage 0 review the brief''s (context.brief.name); kept by trigger for eva.decision_queue.';
comment on column eva.chairman_decisions.venture_priority_base is
  'While pending: the venture''s stored priority part (eva.ventures.priority_base); null for a Stage 0 review; kept by trigger for eva.decision_queue.';
comment on column eva.chairman_decisions.venture_stage_entered_at is
  'While pending: when the venture entered its current stage (eva.ventures.stage_entered_at, the priority''s dwell term); kept by trigger for eva.decision_queue.';

update eva.chairman_decisions d
set venture_name = coalesce((select v.name from eva.ventures v where v.id = d.venture_id), d.context -> 'brief' ->> 'name'),
    venture_priority_base = (select v.priority_base from eva.ventures v where v.id = d.venture_id),
    venture_stage_entered_at = (select v.stage_entered_at from eva.ventures v where v.id = d.venture_id)
where d.status = 'pending';

-- The queue no longer reads ventures (migration 048's index was for that join alone).
drop index if exists eva.ventures_queue_columns_idx;

-- Down Migration
create index if not exists ventures_queue_columns_idx on eva.ventures (id) include (name, priority_base, stage_entered_at);
alter table eva.chairman_decisions
  drop column if exists venture_stage_entered_at,
  drop column if exists venture_priority_base,
  drop column if exists venture_name;
