-- Media providers' prices: read by all EVA roles; changed by a migration or the owner.
alter table marketing.media_prices enable row level security;

create policy "the Chairman, services and viewers read media prices" on marketing.media_prices
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.media_prices to eva_chairman, eva_service, eva_viewer;
