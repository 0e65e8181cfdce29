-- The publishing outbox: the Chairman, services and viewers read every dispatch
-- (its state, error, post id); nobody writes a row directly: marketing.fn_schedule_dispatch,
-- marketing.fn_publish_now and the dispatch functions do.
alter table marketing.marketing_dispatches enable row level security;

create policy "the Chairman, services and viewers read dispatches" on marketing.marketing_dispatches
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on marketing.marketing_dispatches to eva_chairman, eva_service, eva_viewer;
