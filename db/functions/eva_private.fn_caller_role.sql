-- The role a request runs as, also from inside a security-definer function
-- (where current_user is the function's owner): the role set with SET ROLE
-- (psql, the CLI, PostGraphile's per-request role), else the login role.
-- No SET clause (every name is qualified): the queries that call it inline it
-- instead of paying a function call with a search_path switch each time.
create or replace function eva_private.fn_caller_role()
returns text
language sql
stable
as $$
  select coalesce(nullif(pg_catalog.current_setting('role', true), 'none'), pg_catalog.session_user()::pg_catalog.text);
$$;
comment on function eva_private.fn_caller_role() is 'The role the caller acts as (SET ROLE, else the login role), unchanged inside security-definer functions.';
