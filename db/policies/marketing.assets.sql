-- Media assets: read by all EVA roles (GraphQL's assets); recorded through marketing.fn_record_asset.
alter table marketing.assets enable row level security;

create policy "the Chairman, services and viewers read assets" on marketing.assets
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.assets to eva_chairman, eva_service, eva_viewer;
