-- Ventures: everyone signed in reads. Creation, status and stage go through
-- EVA's functions (eva.fn_create_venture, eva.fn_decide, the stage engine's);
-- the Chairman updates the strategic fields (each write leaves an audit.write
-- event). Services write ventures only through EVA's functions: no worker
-- updates a row directly, so they have no update grant.
alter table eva.ventures enable row level security;

create policy "the Chairman, services and viewers read ventures" on eva.ventures
  for select to eva_chairman, eva_service, eva_viewer using (true);
create policy "the Chairman changes ventures" on eva.ventures
  for update to eva_chairman
  using (true)
  with check (true);

grant select on eva.ventures to eva_chairman, eva_service, eva_viewer;
grant update (company_id, moat_strategy, raw_chairman_intent, vertical_category, strategic_context) on eva.ventures to eva_chairman;
