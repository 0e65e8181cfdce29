-- media:generations:sweep (every 5 minutes): an open media generation whose
-- job is gone (its attempts exhausted, a queue emptied by hand) is queued
-- again, so no generation stays requested, submitted or polling for ever
-- with nobody to move it. Returns how many were queued.
create or replace function eva_private.fn_media_sweep()
returns int
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_g record;
  v_n int := 0;
begin
  for v_g in
    select g.id, g.next_poll_at from marketing.media_generations g
    where g.status in ('requested', 'submitted', 'polling')
      and g.updated_at < pg_catalog.now() - interval '2 minutes'
      and coalesce(g.next_poll_at, g.updated_at) < pg_catalog.now() - interval '1 minute'
      and not exists (select 1 from graphile_worker._private_jobs j where j.key = 'media_generation:' || g.id)
    order by g.updated_at
    limit 500
  loop
    perform graphile_worker.add_job('media_generation', pg_catalog.json_build_object('generation_id', v_g.id),
      job_key := 'media_generation:' || v_g.id, max_attempts := 5);
    v_n := v_n + 1;
  end loop;
  return v_n;
end;
$$;
comment on function eva_private.fn_media_sweep() is
  'Queues media_generation again for open generations (requested, submitted, polling) whose job is gone and whose next step is over a minute overdue; returns how many.';
grant execute on function eva_private.fn_media_sweep() to eva_service;
