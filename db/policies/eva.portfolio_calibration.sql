-- Portfolio calibration: the portfolio's knowledge (spec §10, §16); everyone signed in reads. Nobody writes
-- a row directly: the knowledge functions (db/functions/eva_private.fn_knowledge_*, fn_template_*) own them.
alter table eva.portfolio_calibration enable row level security;

create policy "the Chairman, services and viewers read portfolio calibration" on eva.portfolio_calibration
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.portfolio_calibration to eva_chairman, eva_service, eva_viewer;
