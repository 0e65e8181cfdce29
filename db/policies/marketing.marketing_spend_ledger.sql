-- The spend ledger, one row per charged call: read by all EVA roles; written by the dispatch functions.
alter table marketing.marketing_spend_ledger enable row level security;

create policy "the Chairman, services and viewers read the spend ledger" on marketing.marketing_spend_ledger
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.marketing_spend_ledger to eva_chairman, eva_service, eva_viewer;
