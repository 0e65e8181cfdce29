-- What an attempt must keep before its irreversible call (Bluesky's record
-- key, a Threads container id), committed before the call is made.
create or replace function eva_private.fn_dispatch_checkpoint(p_dispatch_id uuid, p_attempt int, p_ref jsonb)
returns boolean
language sql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
  with u as (
    update marketing.marketing_dispatches d set platform_ref = d.platform_ref || coalesce(p_ref, '{}'::jsonb),
      updated_at = pg_catalog.now()
    where d.id = p_dispatch_id and d.attempts = p_attempt and d.status = 'sending'
      and pg_catalog.jsonb_typeof(p_ref) = 'object'
    returning 1
  )
  select exists (select 1 from u);
$$;
comment on function eva_private.fn_dispatch_checkpoint(uuid, int, jsonb) is
  'Saves what an attempt needs before its irreversible call (merged into platform_ref) while it still owns the dispatch; false when it no longer does.';
grant execute on function eva_private.fn_dispatch_checkpoint(uuid, int, jsonb) to eva_service;
