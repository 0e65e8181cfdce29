-- Checked last by `eva db migrate`: every table of EVA's schemas has row level
-- security enabled, so a table added without a policy file reads as empty to
-- every role instead of open to all.
do $$
declare
  missing text;
begin
  select pg_catalog.string_agg(n.nspname || '.' || c.relname, ', ') into missing
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  where n.nspname in ('eva', 'eva_private', 'marketing') and c.relkind in ('r', 'p') and not c.relrowsecurity;
  if missing is not null then
    raise exception 'tables without row level security: % (add a file to db/policies)', missing
      using errcode = 'EV500';
  end if;
end
$$;

-- No function of EVA's schemas is executable by PUBLIC: each file grants
-- execute to the roles that may call it, and nobody else.
do $$
declare
  open_to_all text;
begin
  select pg_catalog.string_agg(p.oid::regprocedure::text, ', ') into open_to_all
  from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  where n.nspname in ('eva', 'eva_private', 'marketing')
    and pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE');
  if open_to_all is not null then
    raise exception 'functions executable by every role: %', open_to_all
      using errcode = 'EV500', hint = 'Revoke execute from public and grant it to the roles that need it.';
  end if;
end
$$;
