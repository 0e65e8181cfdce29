-- Orchestration metrics in one row (spec §13), for `eva orchestration` and a
-- first look in psql: the last 24 hours of stage runs and LLM calls, and the
-- queue, dead letters, circuits and retention as they are now. Each figure
-- is what the reader may see (RLS: a viewer counts no dead letters).
create or replace view eva.orchestration_summary with (security_invoker = true) as
select
  (select pg_catalog.count(*) from eva.venture_stage_work w
    where w.status = 'completed' and w.completed_at > pg_catalog.now() - interval '24 hours') as stage_runs_24h,
  (select pg_catalog.count(*) from eva.venture_stage_work w
    where w.status = 'failed' and w.updated_at > pg_catalog.now() - interval '24 hours') as stage_failures_24h,
  (select pg_catalog.percentile_cont(0.95) within group (order by extract(epoch from w.completed_at - w.started_at))
    from eva.venture_stage_work w
    where w.status = 'completed' and w.completed_at > pg_catalog.now() - interval '24 hours') as stage_p95_seconds_24h,
  (select coalesce(pg_catalog.sum(q.queued), 0)::bigint from eva.fn_job_queue() q) as jobs_queued,
  (select coalesce(pg_catalog.sum(q.running), 0)::bigint from eva.fn_job_queue() q) as jobs_running,
  (select coalesce(pg_catalog.sum(q.failed), 0)::bigint from eva.fn_job_queue() q) as jobs_failed,
  (select pg_catalog.max(q.oldest_queued_age) from eva.fn_job_queue() q) as oldest_job_age,
  (select pg_catalog.count(*) from eva.eva_event_dlq d where d.status = 'pending') as dlq_pending,
  (select pg_catalog.count(*) from eva.venture_circuit_breakers b where b.state <> 'closed') as open_circuits,
  (select pg_catalog.count(*) from eva.venture_budget_transactions t
    where t.created_at > pg_catalog.now() - interval '24 hours') as llm_calls_24h,
  (select coalesce(pg_catalog.sum(t.prompt_tokens + t.completion_tokens), 0)::bigint from eva.venture_budget_transactions t
    where t.created_at > pg_catalog.now() - interval '24 hours') as llm_tokens_24h,
  (select pg_catalog.count(*) from eva.fn_partition_status() p
    where p.table_name = 'eva.eva_event_log' and not p.is_default) as event_log_partitions,
  (select pg_catalog.min(p.range_from) from eva.fn_partition_status() p
    where p.table_name = 'eva.eva_event_log') as event_log_live_since,
  (select pg_catalog.max(a.archived_at) from eva.partition_archives a) as last_archive_at;
comment on view eva.orchestration_summary is
  'Orchestration in one row: stage runs, failures and p95 duration in the last 24 h; jobs queued, running, failed and the oldest queued age; pending dead letters; open circuits; LLM calls and tokens in the last 24 h; event-log partitions, the oldest live month, the last archive.';
grant select on eva.orchestration_summary to eva_chairman, eva_service, eva_viewer;
