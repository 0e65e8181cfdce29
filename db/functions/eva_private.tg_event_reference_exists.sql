-- What the foreign keys to eva.eva_event_log (id) did before the log was
-- partitioned (see eva_private.event_references): a row may only name an event
-- that exists when it is written. Afterwards the event may be archived with
-- its partition; the reference then points into the archive.
create or replace function eva_private.tg_event_reference_exists()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_id bigint := (pg_catalog.to_jsonb(new) ->> tg_argv[0])::bigint;
begin
  -- Most references are to an event just logged (a notification, a dead letter): looked for first
  -- among the recent partitions only, then, if not there, in every one.
  if v_id is not null
     and not exists (select 1 from eva.eva_event_log e where e.id = v_id and e.created_at >= pg_catalog.now() - interval '1 day')
     and not exists (select 1 from eva.eva_event_log e where e.id = v_id) then
    raise exception '%.% = % names no event in eva.eva_event_log', tg_table_name, tg_argv[0], v_id
      using errcode = '23503';
  end if;
  return new;
end;
$$;
comment on function eva_private.tg_event_reference_exists() is
  'Trigger (argument: the column): the event a row names must exist in eva.eva_event_log when the row is written.';

do $$
declare
  r record;
begin
  for r in select * from eva_private.event_references loop
    execute pg_catalog.format(
      'create or replace trigger %I before insert or update of %I on %s for each row execute function eva_private.tg_event_reference_exists(%L)',
      '_005_' || r.column_name || '_exists', r.column_name, r.table_name, r.column_name);
  end loop;
end
$$;
