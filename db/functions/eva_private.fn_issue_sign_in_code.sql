-- `eva start` prints a sign-in link instead of a token: a one-time code (only
-- its SHA-256 is stored) valid a few minutes. Called by the login that runs
-- EVA (the database's owner); no API role may issue one, so a token cannot
-- renew itself through it. Codes expired a day ago are cleared on the way.
create or replace function eva_private.fn_issue_sign_in_code(p_code_hash text, p_role text, p_valid_for interval)
returns timestamptz
language plpgsql
volatile
strict
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_expires timestamptz;
begin
  if p_valid_for <= interval '0' or p_valid_for > interval '1 hour' then
    raise exception 'a sign-in code is valid between a second and an hour, not %', p_valid_for using errcode = 'EV400';
  end if;
  delete from eva_private.sign_in_codes c where c.expires_at < pg_catalog.now() - interval '1 day';
  insert into eva_private.sign_in_codes (code_hash, role, expires_at)
  values (p_code_hash, p_role, pg_catalog.now() + p_valid_for)
  returning expires_at into v_expires;
  return v_expires;
end;
$$;
comment on function eva_private.fn_issue_sign_in_code(text, text, interval) is 'Records a one-time sign-in code (its SHA-256) for a role, valid for p_valid_for (at most an hour).';
