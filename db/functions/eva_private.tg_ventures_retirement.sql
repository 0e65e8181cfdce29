-- A venture that ends (killed, sunset, exited) starts its retirement saga in
-- the same transaction, whoever ended it.
create or replace function eva_private.tg_ventures_retirement()
returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  perform eva_private.fn_retirement_start(new.id, new.status::text,
    nullif(pg_catalog.current_setting('eva.change_reason', true), ''));
  return null;
end;
$$;
comment on function eva_private.tg_ventures_retirement() is
  'Trigger: starts the retirement saga of a venture that was killed, sunset or exited.';

create or replace trigger _830_retirement after update of status on eva.ventures
  for each row when (new.status in ('killed', 'sunset', 'exited') and old.status is distinct from new.status)
  execute function eva_private.tg_ventures_retirement();
