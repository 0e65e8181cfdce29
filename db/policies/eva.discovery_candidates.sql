-- Discovery candidates: the Chairman and services read them; services add a run's candidates and mark the one selected.
alter table eva.discovery_candidates enable row level security;

create policy "the Chairman and services read discovery candidates" on eva.discovery_candidates
  for select to eva_chairman, eva_service using (true);
create policy "services add discovery candidates" on eva.discovery_candidates
  for insert to eva_service with check (not selected);
create policy "services select a discovery candidate" on eva.discovery_candidates
  for update to eva_service using (true) with check (true);

grant select on eva.discovery_candidates to eva_chairman, eva_service;
grant insert (id, run_id, name, problem_statement, solution, target_market, automation_feasibility, competition_bonus,
  nursery_id, detail) on eva.discovery_candidates to eva_service;
grant update (selected) on eva.discovery_candidates to eva_service;
