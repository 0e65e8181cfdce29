-- Checked last by `eva db migrate`: every table of EVA's schemas has row level
-- security enabled, so a table added without a policy file reads as empty to
-- every role instead of open to all.
do $$
declare
  missing text;
begin
  select pg_catalog.string_agg(n.nspname || '.' || c.relname, ', ') into missing
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where n.nspname in ('eva', 'eva_private') and c.relkind in ('r', 'p') and not c.relrowsecurity;
  if missing is not null then
    raise exception 'tables without row level security: % (add a file to db/policies)', missing
      using errcode = 'EV500';
  end if;
end
$$;
