-- The Chairman withdraws a dependency (also the way on past a broken one):
-- the dependent's work it held is released by the table's trigger.
create or replace function eva.fn_remove_venture_dependency(p_dependent_venture_id uuid, p_provider_venture_id uuid)
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_removed int;
begin
  perform pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('eva.venture_dependencies'));
  if not exists (select 1 from eva.ventures where id = p_dependent_venture_id) then
    raise exception 'dependent venture % does not exist', coalesce(p_dependent_venture_id::text, 'null') using errcode = 'EV404';
  end if;
  if not exists (select 1 from eva.ventures where id = p_provider_venture_id) then
    raise exception 'provider venture % does not exist', coalesce(p_provider_venture_id::text, 'null') using errcode = 'EV404';
  end if;
  delete from eva.venture_dependencies d
  where d.dependent_venture_id = p_dependent_venture_id and d.provider_venture_id = p_provider_venture_id;
  get diagnostics v_removed = row_count;
  if v_removed = 0 then
    raise exception 'venture "%" has no dependency on "%"',
      (select name from eva.ventures where id = p_dependent_venture_id),
      (select name from eva.ventures where id = p_provider_venture_id)
      using errcode = 'EV404';
  end if;
  return v_removed;
end;
$$;
comment on function eva.fn_remove_venture_dependency(uuid, uuid) is
  'Removes the dependent venture''s dependency on the provider (any stage, any status) and releases the work it held; EV404 when there is none.';
grant execute on function eva.fn_remove_venture_dependency(uuid, uuid) to eva_chairman;
