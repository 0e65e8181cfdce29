-- Bandit arms: everyone signed in reads them; the optimizer (a service)
-- updates their posteriors and selections; arms are created by EVA's
-- functions (Stage 11's seeding).
alter table marketing.bandit_arms enable row level security;

create policy "the Chairman, services and viewers read bandit arms" on marketing.bandit_arms
  for select to eva_chairman, eva_service, eva_viewer using (true);
create policy "services update bandit arms" on marketing.bandit_arms
  for update to eva_service using (true) with check (true);

grant select on marketing.bandit_arms to eva_chairman, eva_service, eva_viewer;
grant update (alpha, beta_param, observations, last_selected_at, metadata) on marketing.bandit_arms to eva_service;
