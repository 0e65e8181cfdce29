-- A dispatch whose call cannot be made now (its provider's circuit is open,
-- another attempt is in flight): it stays due, its job runs again at p_retry_at.
create or replace function eva_private.fn_dispatch_defer(p_dispatch_id uuid, p_retry_at timestamptz, p_reason text)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  update marketing.marketing_dispatches d set last_error = p_reason, updated_at = pg_catalog.now()
  where d.id = p_dispatch_id and d.status in ('due', 'scheduled', 'sending', 'unconfirmed');
  if found then
    perform eva_private.fn_marketing_enqueue_dispatch(p_dispatch_id, greatest(p_retry_at, pg_catalog.now()));
  end if;
end;
$$;
comment on function eva_private.fn_dispatch_defer(uuid, timestamptz, text) is
  'Re-queues a dispatch''s job at p_retry_at (an open circuit, an attempt in flight), noting why.';
grant execute on function eva_private.fn_dispatch_defer(uuid, timestamptz, text) to eva_service;
