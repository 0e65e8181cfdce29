-- Bandits: everyone signed in reads them; EVA's functions create them
-- (Stage 11's seeding); services pause or retire one.
alter table marketing.bandit_state enable row level security;

create policy "the Chairman, services and viewers read bandits" on marketing.bandit_state
  for select to eva_chairman, eva_service, eva_viewer using (true);
create policy "services change a bandit's status" on marketing.bandit_state
  for update to eva_service using (true) with check (true);

grant select on marketing.bandit_state to eva_chairman, eva_service, eva_viewer;
grant update (status, metadata) on marketing.bandit_state to eva_service;
