-- SD work items: everyone signed in reads. Rows are written only by the SD
-- bridge (eva_private.fn_sd_bridge_start) and engineering's reports
-- (eva.fn_sd_complete), so a report is checked and counted in the saga.
alter table eva.sd_work_items enable row level security;

create policy "the Chairman, services and viewers read sd work items" on eva.sd_work_items
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.sd_work_items to eva_chairman, eva_service, eva_viewer;
