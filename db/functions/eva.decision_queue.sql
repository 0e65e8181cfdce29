-- The Chairman's decision queue (spec §11): every pending decision, most
-- urgent first, then by the priority of its venture (eva.fn_priority_score, as
-- eva.fn_venture_priority gives it), then the oldest. Stage 0 reviews have no
-- venture yet: their name is the brief's and their priority is null (they sort
-- after the ranked ones of the same urgency). Runs as the reader, so only the
-- Chairman and services see rows.
-- Reads the pending rows alone: the DFE columns and the reason are copied from
-- the context on write, the venture's name and priority inputs are kept on the
-- pending decision by triggers (migration 049), so its cost stays near that of
-- reading the pending rows themselves (bench/graphql-queue.ts).
create or replace view eva.decision_queue with (security_invoker = true) as
select
  d.id as decision_id,
  d.decision_type,
  d.lifecycle_stage,
  d.venture_id,
  d.venture_name,
  d.urgency,
  d.blocking,
  d.dfe_triggers,
  d.dfe_mitigations,
  d.recommended_action,
  case when d.venture_id is not null then eva.fn_priority_score(d.venture_priority_base, d.venture_stage_entered_at) end
    as priority_score,
  d.created_at,
  pg_catalog.now() - d.created_at as age,
  coalesce(d.reason, eva.fn_decision_reason(d.decision_type, d.lifecycle_stage, d.context)) as reason
from eva.chairman_decisions d
where d.status = 'pending'
order by d.urgency, priority_score desc nulls last, d.created_at, d.id;

comment on view eva.decision_queue is
  E'Pending Chairman decisions, ranked: urgency (immediate first), then venture priority (highest first), then age (oldest first).';
comment on column eva.decision_queue.decision_id is 'The pending decision (eva.chairman_decisions.id); decide it with eva.fn_decide.';
comment on column eva.decision_queue.decision_type is 'venture_review (Stage 0), brand_approval (10), release_decision (22), venture_future (25) or dfe_escalation.';
comment on column eva.decision_queue.lifecycle_stage is 'The stage the decision belongs to (0 for a Stage 0 venture review).';
comment on column eva.decision_queue.venture_id is 'The venture waiting; null for a Stage 0 review (the venture does not exist yet).';
comment on column eva.decision_queue.venture_name is 'The venture''s name, or for a Stage 0 review the brief''s name (context.brief.name).';
comment on column eva.decision_queue.urgency is 'immediate, daily or weekly.';
comment on column eva.decision_queue.blocking is 'True when the venture cannot move on until the Chairman decides.';
comment on column eva.decision_queue.dfe_triggers is 'The Decision Filter Engine triggers that fired (context.dfe.triggers), [] when none.';
comment on column eva.decision_queue.dfe_mitigations is 'The mitigations the Decision Filter Engine proposed (context.dfe.mitigations), [] when none.';
comment on column eva.decision_queue.recommended_action is 'The decision EVA recommends.';
comment on column eva.decision_queue.priority_score is 'The venture''s priority, 0-100 (eva.fn_venture_priority); null for Stage 0 reviews.';
comment on column eva.decision_queue.created_at is 'When the decision was requested.';
comment on column eva.decision_queue.age is 'How long the decision has waited.';
comment on column eva.decision_queue.reason is 'Why the decision is here, in one line: the gate, the Decision Filter Engine''s triggers, the stage''s recommendation (eva.chairman_decisions.reason).';

grant select on eva.decision_queue to eva_chairman, eva_service;
