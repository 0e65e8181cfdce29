-- Makes one evaluation profile version the active one (spec §16: activation
-- deactivates all others). The partial unique index holds "at most one
-- active"; the lock orders two activations so neither fails on it.
create or replace function eva.fn_activate_evaluation_profile(p_profile_id uuid)
returns eva.evaluation_profiles
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row eva.evaluation_profiles;
  v_previous uuid;
begin
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('eva.evaluation_profiles:active'));
  select * into v_row from eva.evaluation_profiles where id = p_profile_id;
  if not found then
    raise exception 'profile: there is no evaluation profile %', p_profile_id using errcode = 'EV404';
  end if;
  if v_row.is_active then
    return v_row;
  end if;
  update eva.evaluation_profiles set is_active = false where is_active returning id into v_previous;
  update eva.evaluation_profiles set is_active = true, activated_at = pg_catalog.now()
  where id = p_profile_id returning * into v_row;
  perform eva_private.fn_log_event('evaluation_profile.activated', null, pg_catalog.jsonb_build_object(
    'profileId', v_row.id, 'name', v_row.name, 'version', v_row.version, 'previousProfileId', v_previous));
  return v_row;
end;
$$;
comment on function eva.fn_activate_evaluation_profile(uuid) is
  'Activates one evaluation profile version and deactivates the one active before it; logs evaluation_profile.activated.';
grant execute on function eva.fn_activate_evaluation_profile(uuid) to eva_chairman;
