-- The role a request runs as, also from inside a security-definer function
-- (where current_user is the function's owner): the role set with SET ROLE
-- (psql, the CLI, PostGraphile's per-request role), else the login role.
create or replace function eva_private.fn_caller_role()
returns text
language sql
stable
set search_path = pg_catalog, pg_temp
as $$
  select coalesce(nullif(pg_catalog.current_setting('role', true), 'none'), pg_catalog.session_user()::text);
$$;
comment on function eva_private.fn_caller_role() is 'The role the caller acts as (SET ROLE, else the login role), unchanged inside security-definer functions.';
