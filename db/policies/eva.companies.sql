-- Companies: everyone signed in reads; the Chairman manages.
alter table eva.companies enable row level security;

create policy "the Chairman, services and viewers read companies" on eva.companies
  for select to eva_chairman, eva_service, eva_viewer using (true);
create policy "the Chairman adds companies" on eva.companies
  for insert to eva_chairman
  with check (true);
create policy "the Chairman changes companies" on eva.companies
  for update to eva_chairman
  using (true)
  with check (true);

grant select on eva.companies to eva_chairman, eva_service, eva_viewer;
grant insert (portfolio_id, name) on eva.companies to eva_chairman;
grant update (name) on eva.companies to eva_chairman;
