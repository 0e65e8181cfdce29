-- A venture's marketing lifecycle (channels seeded, pre-launch, full
-- distribution): read by everyone signed in; written by EVA's triggers on
-- the stage artifacts alone.
alter table marketing.marketing_venture_state enable row level security;

create policy "the Chairman, services and viewers read venture marketing state" on marketing.marketing_venture_state
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.marketing_venture_state to eva_chairman, eva_service, eva_viewer;
