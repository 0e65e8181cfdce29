-- Keeps updated_at true on every table that has one.
create or replace function eva_private.tg_set_updated_at()
returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  new.updated_at := pg_catalog.now();
  return new;
end;
$$;
comment on function eva_private.tg_set_updated_at() is 'Trigger: sets updated_at on update.';

do $$
declare
  t record;
begin
  for t in
    select c.table_schema, c.table_name
    from information_schema.columns c
    join information_schema.tables tb using (table_schema, table_name)
    where c.table_schema in ('eva', 'eva_private', 'marketing') and c.column_name = 'updated_at' and tb.table_type = 'BASE TABLE'
      -- A partition inherits the partitioned table's trigger.
      and not (pg_catalog.format('%I.%I', c.table_schema, c.table_name)::regclass)::oid in (
        select i.inhrelid from pg_catalog.pg_inherits i)
  loop
    execute pg_catalog.format(
      'create or replace trigger _100_set_updated_at before update on %I.%I for each row execute function eva_private.tg_set_updated_at()',
      t.table_schema, t.table_name);
  end loop;
end
$$;
