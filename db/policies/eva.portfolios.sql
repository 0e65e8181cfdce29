-- Portfolios: everyone signed in reads; the Chairman manages.
alter table eva.portfolios enable row level security;

create policy "the Chairman, services and viewers read portfolios" on eva.portfolios
  for select to eva_chairman, eva_service, eva_viewer using (true);
create policy "the Chairman adds portfolios" on eva.portfolios
  for insert to eva_chairman
  with check (true);
create policy "the Chairman changes portfolios" on eva.portfolios
  for update to eva_chairman
  using (true)
  with check (true);

grant select on eva.portfolios to eva_chairman, eva_service, eva_viewer;
grant insert (name, description, roi_target) on eva.portfolios to eva_chairman;
grant update (name, description, roi_target) on eva.portfolios to eva_chairman;
