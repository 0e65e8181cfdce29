-- Portfolio patterns: everyone signed in reads; written by eva.fn_record_stage_result only.
alter table eva.portfolio_patterns enable row level security;

create policy "the Chairman, services and viewers read portfolio patterns" on eva.portfolio_patterns
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.portfolio_patterns to eva_chairman, eva_service, eva_viewer;
