-- A worker process reports its graphile-worker ids as alive, and learns which
-- ids hold jobs without a live heartbeat (crashed processes) so it can free
-- their jobs at once instead of after graphile-worker's 4-hour lock expiry.
create or replace function eva_private.fn_worker_heartbeat(p_worker_ids text[], p_host text, p_pid int, p_stale_after interval)
returns text[]
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_dead text[];
begin
  insert into eva_private.worker_heartbeats (worker_id, host, pid)
  select w, p_host, p_pid from pg_catalog.unnest(p_worker_ids) w
  on conflict (worker_id) do update set beat_at = pg_catalog.now(), host = excluded.host, pid = excluded.pid;

  delete from eva_private.worker_heartbeats where beat_at < pg_catalog.now() - p_stale_after * 10;

  select pg_catalog.array_agg(distinct j.locked_by) into v_dead
  from graphile_worker.jobs j
  where j.locked_by is not null
    and j.locked_at < pg_catalog.now() - p_stale_after
    and not exists (select 1 from eva_private.worker_heartbeats h
                    where h.worker_id = j.locked_by and h.beat_at >= pg_catalog.now() - p_stale_after);
  -- Workers found dead are a change of the system's health (their jobs are freed next).
  if v_dead is not null then
    perform eva_private.fn_log_event('system.health_change', null, pg_catalog.jsonb_build_object(
      'component', 'worker', 'status', 'crashed_workers_freed', 'workers', v_dead, 'host', p_host));
  end if;
  return coalesce(v_dead, '{}');
end;
$$;
comment on function eva_private.fn_worker_heartbeat(text[], text, int, interval) is
  'Records live worker ids; returns the ids that lock jobs without a heartbeat within p_stale_after (crashed workers).';
grant execute on function eva_private.fn_worker_heartbeat(text[], text, int, interval) to eva_service;
