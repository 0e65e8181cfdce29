-- Platform accounts: the Chairman and services read them (publishers need
-- the handle, base URL and the NAMES of the credentials' variables); the
-- Chairman adds and changes them. Viewers see none. No secret is stored:
-- credential_refs holds variable names only (the table's CHECK).
alter table marketing.marketing_platform_accounts enable row level security;

create policy "the Chairman and services read platform accounts" on marketing.marketing_platform_accounts
  for select to eva_chairman, eva_service using (true);
create policy "the Chairman adds platform accounts" on marketing.marketing_platform_accounts
  for insert to eva_chairman with check (true);
create policy "the Chairman changes platform accounts" on marketing.marketing_platform_accounts
  for update to eva_chairman using (true) with check (true);

grant select on marketing.marketing_platform_accounts to eva_chairman, eva_service;
grant insert (venture_id, platform, handle, base_url, credential_refs, enabled, metadata)
  on marketing.marketing_platform_accounts to eva_chairman;
grant update (handle, base_url, credential_refs, enabled, metadata) on marketing.marketing_platform_accounts to eva_chairman;
