-- "Mark all read" for the Chairman's inbox.
create or replace function eva.fn_notifications_read_all()
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_count int;
begin
  if not eva.fn_is_chairman() then
    raise exception 'only the Chairman reads notifications (caller: %)', eva_private.fn_caller_role() using errcode = 'EV403';
  end if;
  update eva.notifications set read_at = pg_catalog.now() where read_at is null;
  get diagnostics v_count = row_count;
  return v_count;
end;
$$;
comment on function eva.fn_notifications_read_all() is 'Marks every unread notification read; returns how many. The Chairman only (EV403).';
grant execute on function eva.fn_notifications_read_all() to eva_chairman;
