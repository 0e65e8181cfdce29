-- Venture cadence: the Chairman and services read it; it changes only through
-- eva.fn_set_venture_cadence (the Chairman) and the scheduler's functions.
alter table eva.venture_cadence enable row level security;

create policy "the Chairman and services read venture cadence" on eva.venture_cadence
  for select to eva_chairman, eva_service using (true);

grant select on eva.venture_cadence to eva_chairman, eva_service;
