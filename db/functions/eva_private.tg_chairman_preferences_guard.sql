-- A preference EVA reads holds a value it can use: a number in its range
-- where the DFE or a gate reads a number, one of the allowed choices, as
-- eva.chairman_preference_keys says (a value the DFE could not read used to be
-- accepted and then counted as missing). The seeded global preferences are
-- reference rows: they may be changed, never deleted (a deleted global
-- cost_threshold left every DFE run without one). A venture's own value may be
-- deleted: the global one applies again.
create or replace function eva_private.tg_chairman_preferences_guard()
returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  k record;
  v_clean text;
  v_number numeric;
begin
  if tg_op = 'DELETE' then
    -- eva_owner is the migrations' role: a down migration removes what its up seeded.
    if old.scope = 'global' and current_user <> 'eva_owner' and exists (select 1 from eva.chairman_preference_keys where key = old.key and global_required) then
      raise exception 'the global % preference cannot be deleted: EVA reads it; change its value instead', old.key
        using errcode = 'EV409', hint = 'Update the value (e.g. updateChairmanPreference); venture-scoped values may be deleted.';
    end if;
    return old;
  end if;
  select * into k from eva.chairman_preference_keys where key = new.key;
  if not found then
    return new;
  end if;
  v_clean := pg_catalog.btrim(new.value);
  if k.value_type in ('number', 'integer') then
    -- The DFE's reading: digits with an optional sign and decimals; spaces, commas and underscores ignored.
    v_clean := pg_catalog.regexp_replace(v_clean, '[\s,_]', '', 'g');
    if v_clean !~ '^-?[0-9]+(\.[0-9]+)?$' then
      raise exception 'preference % must be a number from % to %, not "%"', new.key, k.min_value, k.max_value,
        pg_catalog.left(new.value, 40) using errcode = 'EV400';
    end if;
    v_number := v_clean::numeric;
    if v_number < k.min_value or v_number > k.max_value then
      raise exception 'preference % must be from % to %, not %', new.key, k.min_value, k.max_value, v_clean
        using errcode = 'EV400';
    end if;
    if k.value_type = 'integer' and v_number <> pg_catalog.trunc(v_number) then
      raise exception 'preference % must be a whole number, not %', new.key, v_clean using errcode = 'EV400';
    end if;
  elsif k.value_type = 'choice' then
    if not (pg_catalog.upper(v_clean) = any (k.choices)) then
      raise exception 'preference % must be one of %, not "%"', new.key, pg_catalog.array_to_string(k.choices, ', '),
        pg_catalog.left(new.value, 40) using errcode = 'EV400';
    end if;
  end if;
  return new;
end;
$$;
comment on function eva_private.tg_chairman_preferences_guard() is
  'Trigger: refuses a preference value its key cannot hold (EV400, per eva.chairman_preference_keys) and the deletion of a global preference EVA reads (EV409).';

create or replace trigger _050_guard before insert or update or delete on eva.chairman_preferences
  for each row execute function eva_private.tg_chairman_preferences_guard();
