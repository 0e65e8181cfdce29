-- The search index: the Chairman and services read every document; viewers
-- read those of ventures (not parked ideas, which have no venture: viewers do
-- not see the nursery). Nobody writes it: its triggers do (eva_private.fn_search_*).
alter table eva.search_documents enable row level security;

create policy "the Chairman and services read every search document" on eva.search_documents
  for select to eva_chairman, eva_service using (true);
create policy "viewers read the search documents of ventures" on eva.search_documents
  for select to eva_viewer using (venture_id is not null);

grant select on eva.search_documents to eva_chairman, eva_service, eva_viewer;
