-- Event deliveries: the Chairman, services and viewers read them; written only
-- by the dispatcher and delivery functions (eva_private.fn_event_dispatch,
-- fn_record_event_delivery, fn_record_dlq_replay). Each monthly partition has
-- row level security on and no policy of its own, so it is read only through
-- the parent (a partition added later needs the same: the retention manager's job).
alter table eva.event_deliveries enable row level security;
do $$
declare
  r record;
begin
  for r in
    select c.oid::regclass as part from pg_catalog.pg_inherits i join pg_catalog.pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'eva.event_deliveries'::regclass and not c.relrowsecurity
  loop
    execute pg_catalog.format('alter table %s enable row level security', r.part);
  end loop;
end
$$;

create policy "the Chairman, services and viewers read event deliveries" on eva.event_deliveries
  for select to eva_chairman, eva_service, eva_viewer using (true);

grant select on eva.event_deliveries to eva_chairman, eva_service, eva_viewer;
