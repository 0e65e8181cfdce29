-- A tick whose work does not exist yet (knowledge sync until the portfolio
-- knowledge base exists; a digest until its handler is registered) records
-- that it ran and did nothing: scheduler.tick with done false and why.
create or replace function eva_private.fn_scheduler_record_tick(p_task text, p_payload jsonb)
returns bigint
language sql
volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
  select eva_private.fn_log_event('scheduler.tick', null,
    pg_catalog.jsonb_build_object('task', p_task, 'at', eva.fn_scheduler_now()) || coalesce(p_payload, '{}'::jsonb));
$$;
comment on function eva_private.fn_scheduler_record_tick(text, jsonb) is
  'Logs a scheduler.tick event for a tick (task, scheduler time, and what it did or why it did nothing).';
grant execute on function eva_private.fn_scheduler_record_tick(text, jsonb) to eva_service;
