-- Chairman-only rules call this, so psql, the CLI and GraphQL obey the same check.
create or replace function eva.fn_is_chairman()
returns boolean
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select pg_catalog.pg_has_role(eva_private.fn_caller_role(), 'eva_chairman', 'USAGE');
$$;
comment on function eva.fn_is_chairman() is 'True when the caller acts as the Chairman.';
grant execute on function eva.fn_is_chairman() to eva_chairman, eva_service, eva_viewer, eva_anonymous;
