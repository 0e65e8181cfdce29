-- The API's /sign-in exchange: marks a code used, once, if it has not
-- expired. The row lock makes two simultaneous exchanges of one code yield
-- one session token. outcome: ok (role set), used, expired or unknown.
create or replace function eva_private.fn_redeem_sign_in_code(p_code_hash text, out role text, out outcome text)
language plpgsql
volatile
strict
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_code eva_private.sign_in_codes;
begin
  update eva_private.sign_in_codes c set used_at = pg_catalog.now()
  where c.code_hash = p_code_hash and c.used_at is null and c.expires_at > pg_catalog.now()
  returning c.* into v_code;
  if found then
    role := v_code.role;
    outcome := 'ok';
    return;
  end if;
  select c.* into v_code from eva_private.sign_in_codes c where c.code_hash = p_code_hash;
  outcome := case when not found then 'unknown' when v_code.used_at is not null then 'used' else 'expired' end;
end;
$$;
comment on function eva_private.fn_redeem_sign_in_code(text) is 'Uses a sign-in code once: the role it signs in as (outcome ok), or why not (used, expired, unknown).';
grant execute on function eva_private.fn_redeem_sign_in_code(text) to eva_authenticator;
