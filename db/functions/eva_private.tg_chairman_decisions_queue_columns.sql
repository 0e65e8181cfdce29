-- The decision queue shows the DFE's triggers and mitigations of every
-- pending decision: copied out of the context once, on write, so reading the
-- queue does not detoast each decision's whole context (stage output, gate).
-- The one-line reason (eva.fn_decision_reason) is written the same way; its
-- figures come from the stage's artifact, so unless that artifact is measured
-- fact the line ends saying what they are ([simulation], [assumption], [unknown]).
create or replace function eva_private.tg_chairman_decisions_queue_columns()
returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v_epistemic text;
begin
  new.dfe_triggers := coalesce(new.context -> 'dfe' -> 'triggers', '[]'::jsonb);
  new.dfe_mitigations := coalesce(new.context -> 'dfe' -> 'mitigations', '[]'::jsonb);
  new.reason := eva.fn_decision_reason(new.decision_type, new.lifecycle_stage, new.context);
  select a.epistemic_classification::text into v_epistemic from eva.venture_artifacts a
  where a.venture_id = new.venture_id and a.artifact_type = new.artifact_type and a.version = new.artifact_version;
  v_epistemic := coalesce(v_epistemic, new.context ->> 'epistemic');
  if v_epistemic is not null and v_epistemic <> 'fact' then
    new.reason := pg_catalog.left(new.reason, 480) || ' [' || v_epistemic || ']';
  end if;
  return new;
end;
$$;
comment on function eva_private.tg_chairman_decisions_queue_columns() is
  'Trigger: copies context.dfe.triggers and context.dfe.mitigations into their columns and writes the one-line reason.';

create or replace trigger _020_queue_columns before insert or update of context, dfe_triggers, dfe_mitigations, reason
  on eva.chairman_decisions
  for each row execute function eva_private.tg_chairman_decisions_queue_columns();
