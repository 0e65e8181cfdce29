-- The API's revocation check, once per request (graphql/preset.ts): two
-- primary-key probes. Null when the token may be used, else why not.
-- Runs as the API's login role (eva_authenticator), before any role is set.
create or replace function eva_private.fn_token_refused(p_jti uuid, p_issued_at timestamptz)
returns text
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select case
    when exists (select 1 from eva_private.revoked_tokens r where r.jti = p_jti) then 'revoked'
    when exists (select 1 from eva_private.token_epoch e where p_issued_at < e.not_before) then 'revoked_all'
  end;
$$;
comment on function eva_private.fn_token_refused(uuid, timestamptz) is 'Null when a token (jti, iat) is not revoked; else revoked (its id) or revoked_all (issued before eva chairman revoke --all).';
grant execute on function eva_private.fn_token_refused(uuid, timestamptz) to eva_authenticator;
