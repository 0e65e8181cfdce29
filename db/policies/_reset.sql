-- Applied first by `eva db migrate`, in the same transaction as db/functions
-- and the policy files: it removes every policy and grant on EVA's objects so
-- that the files alone say who may do what (a policy or grant deleted from a
-- file disappears from the database on the next migrate).
do $$
declare
  r record;
begin
  for r in
    select schemaname, tablename, policyname from pg_catalog.pg_policies
    where schemaname in ('eva', 'eva_private', 'marketing')
  loop
    execute pg_catalog.format('drop policy %I on %I.%I', r.policyname, r.schemaname, r.tablename);
  end loop;
end
$$;

revoke all on all tables in schema eva, eva_private, marketing from public, eva_chairman, eva_service, eva_viewer, eva_anonymous, eva_authenticator;
revoke all on all sequences in schema eva, eva_private, marketing from public, eva_chairman, eva_service, eva_viewer, eva_anonymous, eva_authenticator;
revoke all on all functions in schema eva, eva_private, marketing from public, eva_chairman, eva_service, eva_viewer, eva_anonymous, eva_authenticator;
revoke all on schema eva, eva_private, marketing from public, eva_chairman, eva_service, eva_viewer, eva_anonymous, eva_authenticator;

-- Functions created later must not be executable by everyone by default. The
-- default must be revoked database-wide: a per-schema REVOKE cannot take away
-- PostgreSQL's built-in EXECUTE for PUBLIC, so on a fresh database every
-- function in db/functions (created after the revoke above) was callable by
-- every role, eva_anonymous included.
alter default privileges for role eva_owner revoke execute on functions from public;

-- eva is the public face (GraphQL exposes it). eva_private is internal: only
-- services may reach it, and only the functions granted to them by name.
grant usage on schema eva to eva_chairman, eva_service, eva_viewer, eva_anonymous;
-- marketing (content, variants, bandits, accounts) is public like eva, for the roles that read it.
grant usage on schema marketing to eva_chairman, eva_service, eva_viewer;
grant usage on schema eva_private to eva_service;
-- marketing is read through GraphQL like eva, under its RLS; written through its functions.
grant usage on schema marketing to eva_chairman, eva_service, eva_viewer;
-- The API's login role checks tokens and sign-in codes (eva_private.fn_token_refused, fn_redeem_sign_in_code) before any request role is set.
grant usage on schema eva_private to eva_authenticator;
