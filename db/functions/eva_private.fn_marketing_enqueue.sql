-- The content lifecycle's jobs, committed with the state change that calls
-- for them: generate (write the variants) and review (the brand-compliance
-- review). One queued job per content item and step (job_key).
create or replace function eva_private.fn_marketing_enqueue(p_content_id uuid, p_step text, p_run_at timestamptz default null)
returns void
language plpgsql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_step not in ('generate', 'review') then
    raise exception 'unknown content step %', p_step using errcode = 'EV400';
  end if;
  perform graphile_worker.add_job(
    'marketing_content_' || p_step,
    pg_catalog.json_build_object('content_id', p_content_id),
    job_key := 'marketing_content:' || p_content_id || ':' || p_step,
    run_at := coalesce(p_run_at, pg_catalog.now()),
    max_attempts := 5
  );
end;
$$;
comment on function eva_private.fn_marketing_enqueue(uuid, text, timestamptz) is
  'Queues marketing_content_generate or marketing_content_review for a content item (once: job_key marketing_content:<id>:<step>), at p_run_at (a circuit''s half-open time) or now.';
grant execute on function eva_private.fn_marketing_enqueue(uuid, text, timestamptz) to eva_service;
