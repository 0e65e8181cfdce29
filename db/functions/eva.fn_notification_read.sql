-- The Chairman's inbox: marking read or unread is the only change anyone makes
-- to a notification, and only the Chairman makes it.
create or replace function eva.fn_notification_read(p_id uuid, p_read boolean default true)
returns eva.notifications
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_row eva.notifications;
begin
  if not eva.fn_is_chairman() then
    raise exception 'only the Chairman reads notifications (caller: %)', eva_private.fn_caller_role() using errcode = 'EV403';
  end if;
  update eva.notifications n
  set read_at = case when p_read then coalesce(n.read_at, pg_catalog.now()) end
  where n.id = p_id
  returning * into v_row;
  if not found then
    raise exception 'there is no notification %', coalesce(p_id::text, 'null') using errcode = 'EV404',
      hint = 'eva notifications lists them.';
  end if;
  return v_row;
end;
$$;
comment on function eva.fn_notification_read(uuid, boolean) is
  'Marks a notification read (p_read true, the default) or unread again; the Chairman only (EV403), unknown id EV404.';
grant execute on function eva.fn_notification_read(uuid, boolean) to eva_chairman;
