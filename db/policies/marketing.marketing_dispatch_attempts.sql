-- Every attempt of every dispatch, readable by the Chairman, services and viewers;
-- written only by the dispatch functions.
alter table marketing.marketing_dispatch_attempts enable row level security;

create policy "the Chairman, services and viewers read dispatch attempts" on marketing.marketing_dispatch_attempts
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.marketing_dispatch_attempts to eva_chairman, eva_service, eva_viewer;
