-- Measured venture metrics: everyone signed in reads. Rows are written only by
-- eva.fn_record_venture_metrics (the Chairman and services: the CLI, GraphQL's
-- recordVentureMetrics, an ingest), which checks every row and writes all or
-- none; nobody changes or removes one (corrections are new rows).
alter table eva.venture_metrics enable row level security;

create policy "the Chairman, services and viewers read venture metrics" on eva.venture_metrics
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.venture_metrics to eva_chairman, eva_service, eva_viewer;
