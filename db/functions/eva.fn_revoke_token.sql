-- The Chairman revokes one Bearer token by its id (the jti `eva chairman
-- token` prints): the API refuses it from the next request on. Revoking an
-- id twice keeps the first revocation.
create or replace function eva.fn_revoke_token(p_jti uuid)
returns timestamptz
language plpgsql
volatile
strict
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_at timestamptz;
begin
  if not eva.fn_is_chairman() then
    raise exception 'only the Chairman may revoke tokens (caller: %)', eva_private.fn_caller_role() using errcode = 'EV403';
  end if;
  insert into eva_private.revoked_tokens (jti, revoked_by) values (p_jti, eva_private.fn_caller_role())
  on conflict (jti) do nothing
  returning revoked_at into v_at;
  if v_at is null then
    select r.revoked_at into v_at from eva_private.revoked_tokens r where r.jti = p_jti;
  else
    perform eva_private.fn_log_event('chairman.token_revoked', null, pg_catalog.jsonb_build_object('jti', p_jti));
  end if;
  return v_at;
end;
$$;
comment on function eva.fn_revoke_token(uuid) is 'Revokes the Bearer token with this id (jti): the API refuses it from now on. Returns when it was revoked.';
grant execute on function eva.fn_revoke_token(uuid) to eva_chairman;
