-- Chairman preferences: the Chairman's own; services read them (the DFE
-- resolves thresholds); viewers and anonymous see none.
alter table eva.chairman_preferences enable row level security;

create policy "the Chairman and services read chairman preferences" on eva.chairman_preferences
  for select to eva_chairman, eva_service using (true);
create policy "the Chairman adds chairman preferences" on eva.chairman_preferences
  for insert to eva_chairman
  with check (true);
create policy "the Chairman changes chairman preferences" on eva.chairman_preferences
  for update to eva_chairman
  using (true)
  with check (true);
create policy "the Chairman removes chairman preferences" on eva.chairman_preferences
  for delete to eva_chairman
  using (true);

grant select on eva.chairman_preferences to eva_chairman, eva_service;
grant insert (scope, venture_id, key, value) on eva.chairman_preferences to eva_chairman;
grant update (value) on eva.chairman_preferences to eva_chairman;
grant delete on eva.chairman_preferences to eva_chairman;
