-- The rollups' queue: services read it (how much is waiting); only the ingest
-- and rollup functions write it.
alter table marketing.marketing_rollup_deltas enable row level security;

create policy "services read marketing rollup deltas" on marketing.marketing_rollup_deltas
  for select to eva_service using (true);

grant select on marketing.marketing_rollup_deltas to eva_service;
