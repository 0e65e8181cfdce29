-- Ventures: everyone signed in reads. Creation, status and stage go through
-- eva.fn_create_venture, eva.fn_set_venture_status and eva.fn_advance_venture_stage;
-- services update the measured fields, the Chairman the strategic ones.
alter table eva.ventures enable row level security;

create policy "the Chairman, services and viewers read ventures" on eva.ventures
  for select to eva_chairman, eva_service, eva_viewer using (true);
create policy "services change ventures" on eva.ventures
  for update to eva_service
  using (true)
  with check (true);
create policy "the Chairman changes ventures" on eva.ventures
  for update to eva_chairman
  using (true)
  with check (true);

grant select on eva.ventures to eva_chairman, eva_service, eva_viewer;
grant update (health_score, health_status, projected_revenue, strategic_context, vertical_category) on eva.ventures to eva_service;
grant update (company_id, moat_strategy, raw_chairman_intent, vertical_category, strategic_context) on eva.ventures to eva_chairman;
