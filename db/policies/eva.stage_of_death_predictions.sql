-- Stage-of-death predictions: the portfolio's knowledge (spec §10, §16); everyone signed in reads. Nobody writes
-- a row directly: the knowledge functions (db/functions/eva_private.fn_knowledge_*, fn_template_*) own them.
alter table eva.stage_of_death_predictions enable row level security;

create policy "the Chairman, services and viewers read stage-of-death predictions" on eva.stage_of_death_predictions
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.stage_of_death_predictions to eva_chairman, eva_service, eva_viewer;
