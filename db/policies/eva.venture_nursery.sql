-- Venture nursery: the Chairman's parked ideas; services read them (re-evaluation); viewers see none.
alter table eva.venture_nursery enable row level security;

create policy "the Chairman and services read venture nursery" on eva.venture_nursery
  for select to eva_chairman, eva_service using (true);
create policy "the Chairman changes venture nursery" on eva.venture_nursery
  for update to eva_chairman using (true) with check (true);

grant select on eva.venture_nursery to eva_chairman, eva_service;
grant update (status, reason, review_at) on eva.venture_nursery to eva_chairman;
