-- The Chairman revokes every Bearer token issued so far (a leaked secret, a
-- lost laptop): tokens whose iat is before the returned instant are refused.
-- Token times are whole seconds, so the instant is the next whole second:
-- a token minted from then on is accepted.
create or replace function eva.fn_revoke_all_tokens()
returns timestamptz
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_not_before timestamptz := pg_catalog.date_trunc('second', pg_catalog.clock_timestamp()) + interval '1 second';
begin
  if not eva.fn_is_chairman() then
    raise exception 'only the Chairman may revoke tokens (caller: %)', eva_private.fn_caller_role() using errcode = 'EV403';
  end if;
  insert into eva_private.token_epoch (singleton, not_before, set_by)
  values (true, v_not_before, eva_private.fn_caller_role())
  on conflict (singleton) do update
    set not_before = greatest(eva_private.token_epoch.not_before, excluded.not_before),
        set_at = pg_catalog.now(), set_by = excluded.set_by
  returning not_before into v_not_before;
  perform eva_private.fn_log_event('chairman.tokens_revoked', null,
    pg_catalog.jsonb_build_object('notBefore', v_not_before));
  return v_not_before;
end;
$$;
comment on function eva.fn_revoke_all_tokens() is 'Revokes every Bearer token issued before the returned instant (the next whole second).';
grant execute on function eva.fn_revoke_all_tokens() to eva_chairman;
