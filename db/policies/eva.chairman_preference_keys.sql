-- Reference data: the preference keys EVA reads and the values each accepts;
-- read-only for every signed-in role (migrations seed it).
alter table eva.chairman_preference_keys enable row level security;

create policy "the Chairman, services and viewers read chairman preference keys" on eva.chairman_preference_keys
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.chairman_preference_keys to eva_chairman, eva_service, eva_viewer;
