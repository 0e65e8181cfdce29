-- Circuit breakers: everyone signed in reads; services trip and close
-- them; the Chairman may reset one.
alter table eva.venture_circuit_breakers enable row level security;

create policy "the Chairman, services and viewers read venture circuit breakers" on eva.venture_circuit_breakers
  for select to eva_chairman, eva_service, eva_viewer using (true);
create policy "services add venture circuit breakers" on eva.venture_circuit_breakers
  for insert to eva_service
  with check (true);
create policy "services change venture circuit breakers" on eva.venture_circuit_breakers
  for update to eva_service
  using (true)
  with check (true);
create policy "the Chairman changes venture circuit breakers" on eva.venture_circuit_breakers
  for update to eva_chairman
  using (true)
  with check (true);

grant select on eva.venture_circuit_breakers to eva_chairman, eva_service, eva_viewer;
grant insert (venture_id, service, state, consecutive_failures, last_error, opened_at) on eva.venture_circuit_breakers to eva_service;
grant update (state, consecutive_failures, last_error, opened_at) on eva.venture_circuit_breakers to eva_service;
grant update (state, consecutive_failures, opened_at) on eva.venture_circuit_breakers to eva_chairman;
