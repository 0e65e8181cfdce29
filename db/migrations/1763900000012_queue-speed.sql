-- Up Migration

-- The Chairman's decision queue reads stored values instead of recomputing
-- them per row (issue 8, point 10):
--  * ventures.priority_base: the part of eva.fn_venture_priority that does not
--    depend on the clock (revenue, health, stage, downstream), kept by
--    triggers whenever projected_revenue, health_score, the stage or a
--    dependency changes (eva_private.tg_ventures_priority and friends);
--    only the dwell term is computed at read time.
--  * chairman_decisions.dfe_triggers / dfe_mitigations: the DFE's triggers and
--    mitigations copied out of the decision's context on insert, so the queue
--    does not detoast the whole context (the stage output, the gate) per row.

alter table eva.ventures add column priority_base numeric;
comment on column eva.ventures.priority_base is
  'The clock-independent part of the venture''s priority (0.30 revenue + 0.25 health + 0.15 stage + 0.20 downstream, each on 0-100); '
  'kept by trigger; eva.fn_venture_priority adds the dwell term.';

alter table eva.chairman_decisions
  add column dfe_triggers jsonb not null default '[]',
  add column dfe_mitigations jsonb not null default '[]';
comment on column eva.chairman_decisions.dfe_triggers is
  'The Decision Filter Engine triggers that fired (context.dfe.triggers), [] when none; copied from context by trigger.';
comment on column eva.chairman_decisions.dfe_mitigations is
  'The mitigations the Decision Filter Engine proposed (context.dfe.mitigations), [] when none; copied from context by trigger.';

-- Existing rows, with the formula of eva.fn_venture_priority at the time of this
-- migration. No trigger may fire: these are derived values, not changes
-- (no updated_at, no history, no events). On a new database both updates touch nothing.
alter table eva.chairman_decisions disable trigger user;
update eva.chairman_decisions
set dfe_triggers = coalesce(context -> 'dfe' -> 'triggers', '[]'::jsonb),
    dfe_mitigations = coalesce(context -> 'dfe' -> 'mitigations', '[]'::jsonb);
alter table eva.chairman_decisions enable trigger user;

alter table eva.ventures disable trigger user;
update eva.ventures v
set priority_base =
    0.30 * least(100, 100 * log(1 + greatest(coalesce(v.projected_revenue, 0), 0)) / 7)
  + 0.25 * 100 * coalesce(v.health_score, 0.5)
  + 0.15 * 100 * v.current_lifecycle_stage / 25.0
  + 0.20 * least(100, 100 * log(1 + greatest(coalesce((
      select sum(dv.projected_revenue)
      from eva.venture_dependencies vd
      join eva.ventures dv on dv.id = vd.dependent_venture_id
      where vd.provider_venture_id = v.id and vd.status = 'pending'), 0), 0)) / 7);
alter table eva.ventures enable trigger user;
alter table eva.ventures alter column priority_base set not null;

-- The pending dependencies of a dependent venture (its revenue feeds its providers' downstream term).
create index venture_dependencies_dependent_pending_idx on eva.venture_dependencies (dependent_venture_id)
  where status = 'pending';

-- Down Migration
drop view if exists eva.decision_queue;
drop index eva.venture_dependencies_dependent_pending_idx;
alter table eva.chairman_decisions drop column dfe_triggers, drop column dfe_mitigations;
alter table eva.ventures drop column priority_base;
