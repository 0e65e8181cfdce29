-- Stage work: everyone signed in reads. Services move open work between
-- ready, in_progress, blocked and failed; completion happens only through
-- eva.fn_advance_venture_stage.
alter table eva.venture_stage_work enable row level security;

create policy "the Chairman, services and viewers read venture stage work" on eva.venture_stage_work
  for select to eva_chairman, eva_service, eva_viewer using (true);
create policy "services change venture stage work" on eva.venture_stage_work
  for update to eva_service
  using (status in ('ready', 'in_progress', 'blocked'))
  with check (status in ('ready', 'in_progress', 'blocked', 'failed'));

grant select on eva.venture_stage_work to eva_chairman, eva_service, eva_viewer;
grant update (status, blocked_reason, attempts, started_at) on eva.venture_stage_work to eva_service;
