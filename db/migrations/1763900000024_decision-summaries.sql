-- Up Migration

-- The API for people (issue 11, point 4): what a client would otherwise
-- assemble from a decision's raw context is computed once, in SQL, for every
-- client (GraphQL, the CLI, psql):
--  * chairman_decisions.reason: one line saying why the decision is in the
--    queue (the gate, the DFE's triggers, the stage's recommendation), written
--    by trigger when the decision is opened (eva.fn_decision_reason), so the
--    queue reads a short column instead of each decision's whole context;
--  * eva.chairman_decisions_summary(d): the synthesized stage output as
--    headed sections of plain lines (eva.decision_summary_section);
--  * eva.chairman_decisions_choices(d): each allowed decision with what it
--    does to this venture (eva.decision_choice).

create type eva.decision_summary_section as (heading text, lines text[]);
comment on type eva.decision_summary_section is
  'One headed section of a decision''s readable summary: a heading and its lines, in reading order.';

create type eva.decision_choice as (decision text, outcome text, effect text, recommended boolean);
comment on type eva.decision_choice is
  'A decision the Chairman may make on one pending decision: its name (pass it to decide), its outcome (approval, rejection or override), what it does to this venture, and whether EVA recommends it.';

alter table eva.chairman_decisions add column reason text check (char_length(reason) <= 500);
comment on column eva.chairman_decisions.reason is
  'Why the decision is in the queue, in one line (the gate, the Decision Filter Engine''s triggers, the stage''s recommendation); written by trigger from the context (eva.fn_decision_reason). Null on decisions opened before it existed: eva.decision_queue computes theirs on read.';

-- Option descriptions said what each option is; they now say what it does
-- (the effects of eva_private.fn_apply_decision).
update eva.chairman_decision_options o set description = v.description
from (values
  ('venture_review', 'approve', 'Create the venture from this brief; it starts at Stage 1.'),
  ('venture_review', 'park', 'Park the brief in the nursery; no venture is created now.'),
  ('venture_review', 'edit', 'Send the brief to the nursery for editing (status editing); no venture is created now.'),
  ('venture_review', 'kill', 'Drop the idea; no venture is created.'),
  ('brand_approval', 'approve', 'Accept the brand; the venture moves on to Stage 11.'),
  ('brand_approval', 'revise', 'Run Stage 10 (the brand) again, with your notes as the reason.'),
  ('brand_approval', 'reject', 'Reject the brand and kill the venture.'),
  ('release_decision', 'release', 'Release; the venture moves on to launch (Stage 23).'),
  ('release_decision', 'hold', 'Hold the release (give the reason in the notes); the build loop runs again from Stage 17.'),
  ('release_decision', 'cancel', 'Cancel the release and kill the venture.'),
  ('venture_future', 'continue', 'Keep operating: the next ops cycle (Stage 24) is scheduled on the venture''s cadence.'),
  ('venture_future', 'pivot', 'Pivot: the venture goes back to THE ENGINE (Stage 6).'),
  ('venture_future', 'expand', 'Scale the venture: the next ops cycle (Stage 24) is scheduled on its cadence.'),
  ('venture_future', 'sunset', 'Retire the venture; a retirement saga winds it down.'),
  ('venture_future', 'exit', 'Exit the venture: its lifecycle is complete and a retirement saga winds it down.'),
  ('dfe_escalation', 'proceed', 'Proceed despite the triggers: the venture moves on to the next stage.'),
  ('dfe_escalation', 'block', 'Block the venture at this stage until you release it.'),
  ('dfe_escalation', 'modify_thresholds', 'Run this stage again under your current thresholds (change them first with eva chairman preferences).')
) as v (decision_type, decision, description)
where o.decision_type = v.decision_type and o.decision = v.decision;

-- Down Migration
update eva.chairman_decision_options o set description = v.description
from (values
  ('venture_review', 'approve', 'Create the venture at Stage 1 with the brief.'),
  ('venture_review', 'park', 'Park the idea in the nursery.'),
  ('venture_review', 'edit', 'Send the brief back for editing.'),
  ('venture_review', 'kill', 'Drop the idea.'),
  ('brand_approval', 'approve', 'Accept the brand; the venture continues.'),
  ('brand_approval', 'revise', 'Re-run the brand analysis with the Chairmans notes.'),
  ('brand_approval', 'reject', 'Reject the brand and stop the venture.'),
  ('release_decision', 'release', 'Release; the venture proceeds to launch.'),
  ('release_decision', 'hold', 'Hold the release (with a reason); the build loop continues.'),
  ('release_decision', 'cancel', 'Cancel the release and stop the venture.'),
  ('venture_future', 'continue', 'Start the next ops cycle.'),
  ('venture_future', 'pivot', 'Go back to THE ENGINE / THE IDENTITY phases.'),
  ('venture_future', 'expand', 'Scale the venture.'),
  ('venture_future', 'sunset', 'Retire the venture.'),
  ('venture_future', 'exit', 'Exit the venture; its lifecycle is complete.'),
  ('dfe_escalation', 'proceed', 'Proceed despite the triggers.'),
  ('dfe_escalation', 'block', 'Block the venture at this stage.'),
  ('dfe_escalation', 'modify_thresholds', 'Adjust the thresholds and re-evaluate.')
) as v (decision_type, decision, description)
where o.decision_type = v.decision_type and o.decision = v.decision;
alter table eva.chairman_decisions drop column reason;
drop type eva.decision_choice;
drop type eva.decision_summary_section;
