-- Sagas: everyone signed in reads; services run them.
alter table eva.eva_sagas enable row level security;

create policy "the Chairman, services and viewers read eva sagas" on eva.eva_sagas
  for select to eva_chairman, eva_service, eva_viewer using (true);
create policy "services add eva sagas" on eva.eva_sagas
  for insert to eva_service
  with check (true);
create policy "services change eva sagas" on eva.eva_sagas
  for update to eva_service
  using (true)
  with check (true);

grant select on eva.eva_sagas to eva_chairman, eva_service, eva_viewer;
grant insert (venture_id, saga_type, current_step, context, max_retries, timeout_at) on eva.eva_sagas to eva_service;
grant update (current_step, status, context, retry_count, completed_at, timeout_at) on eva.eva_sagas to eva_service;
