-- content:schedule:check's SQL half (every 5 minutes): scheduled dispatches
-- whose send time has come become due with their job; the sweeper part finds
-- what would otherwise sit silently — a due dispatch whose job is gone, an
-- attempt left "sending" by a dead process (older than
-- marketing.sending_stale_seconds), an unconfirmed dispatch not being
-- reconciled — and queues its job again. Returns how many jobs it queued.
create or replace function eva_private.fn_marketing_release_due()
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_stale interval := pg_catalog.make_interval(secs => coalesce((select (s.value #>> '{}')::int
    from eva_private.settings s where s.key = 'marketing.sending_stale_seconds'), 120));
  v_n int := 0;
  v_id uuid;
begin
  for v_id in
    update marketing.marketing_dispatches d set status = 'due', updated_at = pg_catalog.now()
    where d.status = 'scheduled' and d.due_at <= pg_catalog.now()
    returning d.id
  loop
    perform eva_private.fn_marketing_enqueue_dispatch(v_id);
    v_n := v_n + 1;
  end loop;
  for v_id in
    select d.id from marketing.marketing_dispatches d
    where ((d.status = 'due' and d.due_at <= pg_catalog.now())
        or (d.status = 'sending' and d.sending_since <= pg_catalog.now() - v_stale)
        or (d.status = 'unconfirmed' and d.attempts < d.max_attempts))
      and not exists (select 1 from graphile_worker._private_jobs j where j.key = 'marketing_dispatch:' || d.id)
  loop
    perform eva_private.fn_marketing_enqueue_dispatch(v_id);
    v_n := v_n + 1;
  end loop;
  return v_n;
end;
$$;
comment on function eva_private.fn_marketing_release_due() is
  'Makes scheduled dispatches whose time has come due (queuing their job) and re-queues due, stale sending and unconfirmed dispatches that have no job; returns the jobs queued.';
grant execute on function eva_private.fn_marketing_release_due() to eva_service;
