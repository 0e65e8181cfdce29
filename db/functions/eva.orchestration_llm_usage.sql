-- Orchestration metrics (spec §13): LLM calls, tokens and latency per model
-- and purpose, from the token ledger (one row per charged analysis; cache hits
-- are free and write none). Latency is the stage engine's measure of the
-- charged analysis or review (provenance.latencyMs: every request of it,
-- repairs included); rows without it (charged before it was recorded, Stage 0
-- briefs) count in calls but not in latency.
create or replace view eva.orchestration_llm_usage with (security_invoker = true) as
select coalesce(t.provenance ->> 'model', 'unknown') as model,
  t.purpose,
  pg_catalog.count(*) as calls,
  pg_catalog.sum(t.prompt_tokens)::bigint as prompt_tokens,
  pg_catalog.sum(t.completion_tokens)::bigint as completion_tokens,
  pg_catalog.sum(t.prompt_tokens + t.completion_tokens)::bigint as total_tokens,
  pg_catalog.count(*) filter (where t.estimated) as estimated_calls,
  pg_catalog.count(*) filter (where t.provenance ? 'latencyMs') as timed_calls,
  pg_catalog.percentile_cont(0.5) within group (order by (t.provenance ->> 'latencyMs')::numeric) as latency_p50_ms,
  pg_catalog.percentile_cont(0.95) within group (order by (t.provenance ->> 'latencyMs')::numeric) as latency_p95_ms,
  pg_catalog.max(t.created_at) as last_call_at
from eva.venture_budget_transactions t
group by 1, 2
order by 1, 2;
comment on view eva.orchestration_llm_usage is
  'Per model and purpose: charged calls, prompt/completion/total tokens, calls with estimated counts, calls with a recorded latency and its p50/p95 in ms, the last call.';
grant select on eva.orchestration_llm_usage to eva_chairman, eva_service, eva_viewer;
