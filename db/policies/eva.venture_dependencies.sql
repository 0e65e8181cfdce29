-- Dependencies: everyone signed in reads; only eva.fn_add_venture_dependency
-- and eva.fn_remove_venture_dependency (the Chairman's) and the triggers that
-- meet and break them write (no role writes the table itself).
alter table eva.venture_dependencies enable row level security;

create policy "the Chairman, services and viewers read venture dependencies" on eva.venture_dependencies
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.venture_dependencies to eva_chairman, eva_service, eva_viewer;
