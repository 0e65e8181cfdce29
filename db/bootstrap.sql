-- Cluster-level prerequisites of EVA, applied by `eva db migrate` before the
-- migrations. Idempotent: roles are shared by every database of a cluster,
-- so they are created when missing and never dropped here.
--
-- Roles (see README "Roles and security"):
--   eva_owner          owns every EVA object; security-definer functions run as it
--   eva_authenticator  the login role of the GraphQL server; switches per request
--   eva_chairman       the one human: decides, sets preferences
--   eva_service        workers: run stages, open decisions, never decide
--   eva_viewer         reads venture data, writes nothing
--   eva_anonymous      sees nothing
do $$
declare
  r text;
begin
  foreach r in array array['eva_owner', 'eva_chairman', 'eva_service', 'eva_viewer', 'eva_anonymous'] loop
    if not exists (select 1 from pg_catalog.pg_roles where rolname = r) then
      execute pg_catalog.format('create role %I nologin', r);
    end if;
  end loop;
  if not exists (select 1 from pg_catalog.pg_roles where rolname = 'eva_authenticator') then
    create role eva_authenticator login noinherit;
  end if;
end
$$;

grant eva_chairman, eva_service, eva_viewer, eva_anonymous to eva_authenticator;

-- eva_owner creates the schemas' contents; the schemas themselves exist
-- before the migrations so that the migrations table can live in eva_private.
do $$
begin
  execute pg_catalog.format('grant create on database %I to eva_owner', pg_catalog.current_database());
end
$$;
create schema if not exists eva authorization eva_owner;
create schema if not exists eva_private authorization eva_owner;

-- The migrating login must be able to act as eva_owner (a superuser already can).
do $$
begin
  if not (select rolsuper from pg_catalog.pg_roles where rolname = current_user) then
    execute pg_catalog.format('grant eva_owner to %I', current_user);
  end if;
end
$$;
