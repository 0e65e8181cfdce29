// Who may do what, table by table (spec §12): the grant and RLS matrix of
// db/policies, exercised as the real roles for the allowed and the denied case.
import { type Kysely, sql, type Transaction } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Role, withRole } from "../src/db/client.ts";
import type { DB } from "../src/db/schema.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { advance, createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

const ROLES: Role[] = ["eva_chairman", "eva_service", "eva_viewer", "eva_anonymous"];
const OPS = ["select", "insert", "update", "delete"] as const;
type Op = (typeof OPS)[number];

const C: Role = "eva_chairman";
const S: Role = "eva_service";
const V: Role = "eva_viewer";
const READERS: Role[] = [C, S, V];

/** Rows every statement below can point at; made by the superuser (setup is not under test). */
interface Fixture {
  ventureA: string;
  ventureB: string;
  /** A venture whose token budgets were removed, so inserting them is possible. */
  ventureC: string;
  portfolio: string;
  company: string;
  decision: string;
  preference: string;
  alert: string;
  dlq: string;
  contract: string;
  saga: string;
  artifact: string;
  nursery: string;
  discoveryCandidate: string;
}

interface TableRules {
  /** Roles allowed each command; every other role must be refused with 42501. */
  allowed: Record<Op, Role[]>;
  /** One statement per command, run unchanged as every role. */
  statements: Record<Op, (f: Fixture) => string>;
  /** The SQLSTATE a refused command raises when not 42501 (writing to a view no role may write). */
  refusedWith?: Partial<Record<Op, string>>;
  /** Roles whose select runs but sees no row (granted, with no policy of theirs). */
  seesNothing?: Role[];
}

// Reference tables: everyone signed in reads, nobody writes.
function referenceTable(table: string, insert: string, key: string): TableRules {
  return {
    allowed: { select: READERS, insert: [], update: [], delete: [] },
    statements: {
      select: () => `select * from ${table}`,
      insert: () => `insert into ${table} ${insert}`,
      update: () => `update ${table} set ${key} = ${key}`,
      delete: () => `delete from ${table}`,
    },
  };
}

// Audit tables: everyone signed in reads, nobody writes directly.
function auditTable(table: string, insert: (f: Fixture) => string): TableRules {
  return {
    allowed: { select: READERS, insert: [], update: [], delete: [] },
    statements: {
      select: () => `select * from ${table}`,
      insert: (f) => `insert into ${table} ${insert(f)}`,
      update: (f) => `update ${table} set reason = 'rewritten' where venture_id = '${f.ventureA}'`,
      delete: (f) => `delete from ${table} where venture_id = '${f.ventureA}'`,
    },
  };
}

// Dashboard views (db/functions/eva.<view>.sql): security invoker, read by the
// roles granted select; nobody writes through them (PostgreSQL refuses writing
// to a view that is not simply updatable with 55000, before privileges).
function dashboardView(view: string, readers: Role[], column: string): TableRules {
  return {
    allowed: { select: readers, insert: [], update: [], delete: [] },
    statements: {
      select: () => `select * from ${view}`,
      insert: () => `insert into ${view} default values`,
      update: () => `update ${view} set ${column} = ${column}`,
      delete: () => `delete from ${view}`,
    },
    refusedWith: { insert: "55000", update: "55000", delete: "55000" },
  };
}

// Derived from db/policies/eva.*.sql and eva_private.migrations.sql.
const MATRIX: Record<string, TableRules> = {
  // Written only through EVA's contract functions (test/contracts.test.ts covers them).
  "eva.agent_task_contracts": {
    allowed: { select: READERS, insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.agent_task_contracts",
      insert: (f) =>
        `insert into eva.agent_task_contracts (parent_agent, target_agent, venture_id, action) values ('eva', 'ceo', '${f.ventureA}', 'stage_run')`,
      update: (f) => `update eva.agent_task_contracts set status = 'assigned' where id = '${f.contract}'`,
      delete: (f) => `delete from eva.agent_task_contracts where id = '${f.contract}'`,
    },
  },
  "eva.artifact_types": referenceTable(
    "eva.artifact_types",
    "(name, description) values ('probe', 'probe')",
    "description",
  ),
  "eva.chairman_preference_keys": referenceTable(
    "eva.chairman_preference_keys",
    "(key, value_type, description) values ('probe', 'text', 'probe')",
    "description",
  ),
  "eva.chairman_decision_options": referenceTable(
    "eva.chairman_decision_options",
    "(decision_type, decision, outcome, description) values ('brand_approval', 'shrug', 'override', 'probe')",
    "description",
  ),
  "eva.chairman_decision_types": referenceTable(
    "eva.chairman_decision_types",
    "(decision_type, description) values ('probe', 'probe')",
    "description",
  ),
  // Deciding goes through eva.fn_decide only: no role updates a decision directly.
  "eva.chairman_decisions": {
    allowed: { select: [C, S], insert: [S], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.chairman_decisions",
      insert: (f) =>
        `insert into eva.chairman_decisions (venture_id, lifecycle_stage, decision_type, recommended_action) values ('${f.ventureB}', 22, 'release_decision', 'release')`,
      update: (f) =>
        `update eva.chairman_decisions set status = 'decided', decision = 'approve', decided_at = now(), notes = 'ship it' where id = '${f.decision}'`,
      delete: (f) => `delete from eva.chairman_decisions where id = '${f.decision}'`,
    },
  },
  "eva.chairman_preferences": {
    allowed: { select: [C, S], insert: [C], update: [C], delete: [C] },
    statements: {
      select: () => "select * from eva.chairman_preferences",
      insert: (f) =>
        `insert into eva.chairman_preferences (scope, venture_id, key, value) values ('venture', '${f.ventureA}', 'kill_threshold', '0.3')`,
      update: (f) => `update eva.chairman_preferences set value = '0.5' where id = '${f.preference}'`,
      delete: (f) => `delete from eva.chairman_preferences where id = '${f.preference}'`,
    },
  },
  "eva.companies": {
    allowed: { select: READERS, insert: [C], update: [C], delete: [] },
    statements: {
      select: () => "select * from eva.companies",
      insert: (f) => `insert into eva.companies (portfolio_id, name) values ('${f.portfolio}', 'Probe Company')`,
      update: (f) => `update eva.companies set name = 'Renamed Company' where id = '${f.company}'`,
      delete: (f) => `delete from eva.companies where id = '${f.company}'`,
    },
  },
  // One table under it (the pending rows hold what the queue shows), so PostgreSQL would pass a write through
  // to eva.chairman_decisions: refused for want of the privilege, on the view and (security_invoker) on the table.
  "eva.decision_queue": {
    ...dashboardView("eva.decision_queue", [C, S], "lifecycle_stage"),
    refusedWith: { insert: "42501", update: "42501", delete: "42501" },
  },
  "eva.dependency_graph": dashboardView("eva.dependency_graph", READERS, "required_stage"),
  "eva.eva_alerts": {
    allowed: { select: READERS, insert: [S], update: [C, S], delete: [] },
    statements: {
      select: () => "select * from eva.eva_alerts",
      insert: (f) =>
        `insert into eva.eva_alerts (venture_id, severity, alert_type, message) values ('${f.ventureA}', 'P1', 'probe', 'probe alert')`,
      update: (f) => `update eva.eva_alerts set status = 'resolved', resolved_at = now() where id = '${f.alert}'`,
      delete: (f) => `delete from eva.eva_alerts where id = '${f.alert}'`,
    },
  },
  // Dead letters are written by the delivery functions; the Chairman replays and drops through eva.fn_dlq_*.
  "eva.eva_event_dlq": {
    allowed: { select: [C, S], insert: [], update: [], delete: [] },
    // Viewers may query it (the orchestration metrics read it as the caller) and see no dead letter.
    seesNothing: [V],
    statements: {
      select: () => "select * from eva.eva_event_dlq",
      insert: () => "insert into eva.eva_event_dlq (event_type, failure_reason) values ('stage.entered', 'probe')",
      update: (f) => `update eva.eva_event_dlq set status = 'discarded' where id = ${f.dlq}`,
      delete: (f) => `delete from eva.eva_event_dlq where id = ${f.dlq}`,
    },
  },
  // Subscriptions and their deliveries change only through EVA's functions (eva.fn_create_event_subscription, the dispatcher).
  "eva.event_subscriptions": {
    allowed: { select: READERS, insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.event_subscriptions",
      insert: () =>
        "insert into eva.event_subscriptions (name, event_types, handler) values ('forged', array['*'], 'webhook')",
      update: () => "update eva.event_subscriptions set enabled = false",
      delete: () => "delete from eva.event_subscriptions",
    },
  },
  "eva.event_deliveries": {
    allowed: { select: READERS, insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.event_deliveries",
      insert: () =>
        "insert into eva.event_deliveries (subscription_id, event_id, event_logged_at, event_type) select 1, 999999, now(), 'forged.event'",
      update: () => "update eva.event_deliveries set status = 'delivered'",
      delete: () => "delete from eva.event_deliveries",
    },
  },
  "eva.eva_event_log": {
    allowed: { select: READERS, insert: [S], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.eva_event_log",
      insert: (f) =>
        `insert into eva.eva_event_log (event_type, venture_id, payload) values ('probe.sent', '${f.ventureA}', '{}')`,
      update: (f) => `update eva.eva_event_log set payload = '{"forged": true}' where venture_id = '${f.ventureA}'`,
      delete: (f) => `delete from eva.eva_event_log where venture_id = '${f.ventureA}'`,
    },
  },
  // Sagas start and move through the functions that own them.
  "eva.eva_sagas": {
    allowed: { select: READERS, insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.eva_sagas",
      insert: (f) =>
        `insert into eva.eva_sagas (venture_id, saga_type, current_step) values ('${f.ventureA}', 'reality_gate_retry', 'start')`,
      update: (f) => `update eva.eva_sagas set current_step = 'next' where id = '${f.saga}'`,
      delete: (f) => `delete from eva.eva_sagas where id = '${f.saga}'`,
    },
  },
  // Saga steps, sub-steps, archives and retrospectives: written by the saga engine's functions only.
  "eva.eva_saga_steps": {
    allowed: { select: READERS, insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.eva_saga_steps",
      insert: (f) =>
        `insert into eva.eva_saga_steps (saga_id, venture_id, step, status) values ('${f.saga}', '${f.ventureA}', 'forged', 'completed')`,
      update: (f) => `update eva.eva_saga_steps set status = 'skipped' where saga_id = '${f.saga}'`,
      delete: (f) => `delete from eva.eva_saga_steps where saga_id = '${f.saga}'`,
    },
  },
  "eva.eva_saga_substeps": {
    allowed: { select: READERS, insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.eva_saga_substeps",
      insert: (f) =>
        `insert into eva.eva_saga_substeps (saga_id, venture_id, step, key, status) values ('${f.saga}', '${f.ventureA}', 'teardown_infra', 'forged', 'completed')`,
      update: (f) => `update eva.eva_saga_substeps set status = 'completed' where saga_id = '${f.saga}'`,
      delete: (f) => `delete from eva.eva_saga_substeps where saga_id = '${f.saga}'`,
    },
  },
  "eva.venture_archives": {
    allowed: { select: READERS, insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.venture_archives",
      insert: (f) =>
        `insert into eva.venture_archives (saga_id, venture_id, kind, key, uri, sha256, bytes) values ('${f.saga}', '${f.ventureA}', 'export', 'k', 'file:///x', repeat('b', 64), 1)`,
      update: (f) => `update eva.venture_archives set sha256 = repeat('c', 64) where saga_id = '${f.saga}'`,
      delete: (f) => `delete from eva.venture_archives where saga_id = '${f.saga}'`,
    },
  },
  "eva.venture_retrospectives": {
    allowed: { select: READERS, insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.venture_retrospectives",
      insert: (f) =>
        `insert into eva.venture_retrospectives (saga_id, venture_id, stage_of_death, ended_as, analysis, epistemic_classification, pattern_signature) values ('${f.saga}', '${f.ventureB}', 5, 'killed', '{}', 'simulation', 'forged')`,
      update: (f) => `update eva.venture_retrospectives set analysis = '{"forged": true}' where saga_id = '${f.saga}'`,
      delete: (f) => `delete from eva.venture_retrospectives where saga_id = '${f.saga}'`,
    },
  },
  // The inventory: the Chairman and services add resources and set their provider; their status moves by teardown only.
  "eva.venture_infra_resources": {
    allowed: { select: READERS, insert: [C, S], update: [C, S], delete: [] },
    statements: {
      select: () => "select * from eva.venture_infra_resources",
      insert: (f) =>
        `insert into eva.venture_infra_resources (venture_id, kind, name, external_id, depends_on) values ('${f.ventureA}', 'dns', 'probe-dns', 'dns-1', '{fixture-db}')`,
      update: (f) =>
        `update eva.venture_infra_resources set provider_url = 'http://127.0.0.1:1' where venture_id = '${f.ventureA}'`,
      delete: (f) => `delete from eva.venture_infra_resources where venture_id = '${f.ventureA}'`,
    },
  },
  "eva.gate_decision_options": referenceTable(
    "eva.gate_decision_options",
    "(gate_type, decision, passes) values ('kill', 'maybe', true)",
    "passes",
  ),
  "eva.lifecycle_phases": referenceTable(
    "eva.lifecycle_phases",
    "(id, phase_name, purpose, first_stage, last_stage) values (7, 'EXTRA', 'probe', 26, 27)",
    "purpose",
  ),
  "eva.lifecycle_stage_config": referenceTable(
    "eva.lifecycle_stage_config",
    "(stage_number, stage_name, phase_number, work_type, produces, description) values (26, 'Extra', 6, 'analysis', '{idea_brief}', 'probe')",
    "gate_type",
  ),
  "eva.portfolio_ideation_budgets": {
    allowed: { select: READERS, insert: [C], update: [C], delete: [] },
    statements: {
      select: () => "select * from eva.portfolio_ideation_budgets",
      // The default portfolio has no budget row yet (it gets one on its first charge).
      insert: () =>
        "insert into eva.portfolio_ideation_budgets (portfolio_id, budget_tokens) select id, 1000 from eva.portfolios where name = 'EVA portfolio'",
      update: (f) =>
        `update eva.portfolio_ideation_budgets set budget_tokens = 5000 where portfolio_id = '${f.portfolio}'`,
      delete: (f) => `delete from eva.portfolio_ideation_budgets where portfolio_id = '${f.portfolio}'`,
    },
  },
  "eva.portfolio_metrics": dashboardView("eva.portfolio_metrics", READERS, "ventures_total"),
  // Orchestration metrics (db/functions/eva.orchestration_*.sql): read as the caller.
  "eva.orchestration_dlq": { ...dashboardView("eva.orchestration_dlq", [C, S], "status"), seesNothing: [V] },
  "eva.orchestration_job_queue": dashboardView("eva.orchestration_job_queue", READERS, "task"),
  "eva.orchestration_llm_usage": dashboardView("eva.orchestration_llm_usage", READERS, "model"),
  "eva.orchestration_open_circuits": dashboardView("eva.orchestration_open_circuits", READERS, "service"),
  "eva.orchestration_partitions": dashboardView("eva.orchestration_partitions", READERS, "table_name"),
  "eva.orchestration_stage_durations": dashboardView("eva.orchestration_stage_durations", READERS, "stage"),
  "eva.orchestration_stage_failures": dashboardView("eva.orchestration_stage_failures", READERS, "stage"),
  "eva.orchestration_subscriptions": dashboardView("eva.orchestration_subscriptions", READERS, "subscription"),
  "eva.orchestration_summary": dashboardView("eva.orchestration_summary", READERS, "jobs_queued"),
  "eva.partition_archives": {
    allowed: { select: READERS, insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.partition_archives",
      insert: () =>
        "insert into eva.partition_archives (table_name, partition_name, range_from, range_to, row_count) values ('eva.x', 'eva_partitions.x_p200002', '2000-02-01', '2000-03-01', 0)",
      update: () => "update eva.partition_archives set row_count = 0",
      delete: () => "delete from eva.partition_archives",
    },
  },
  "eva.portfolios": {
    allowed: { select: READERS, insert: [C], update: [C], delete: [] },
    statements: {
      select: () => "select * from eva.portfolios",
      insert: () => "insert into eva.portfolios (name, description) values ('Probe Portfolio', 'probe')",
      update: (f) => `update eva.portfolios set description = 'changed' where id = '${f.portfolio}'`,
      delete: (f) => `delete from eva.portfolios where id = '${f.portfolio}'`,
    },
  },
  "eva.sd_work_items": {
    allowed: { select: READERS, insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.sd_work_items",
      insert: (f) =>
        `insert into eva.sd_work_items (venture_id, saga_id, stage_work_id, parent_id, kind, position, title, item_type) select venture_id, saga_id, stage_work_id, id, 'child', 1, 'Forged item', 'feature' from eva.sd_work_items where venture_id = '${f.ventureA}'`,
      update: (f) =>
        `update eva.sd_work_items set status = 'succeeded', tests_passed = 1, tests_failed = 0, completed_at = now() where venture_id = '${f.ventureA}'`,
      delete: (f) => `delete from eva.sd_work_items where venture_id = '${f.ventureA}'`,
    },
  },
  "eva.venture_artifacts": {
    allowed: { select: READERS, insert: [S], update: [C], delete: [] },
    statements: {
      select: () => "select * from eva.venture_artifacts",
      insert: (f) =>
        `insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, epistemic_classification) values ('${f.ventureA}', 2, 'idea_validation', '{"score": 61}', 'simulation')`,
      update: (f) => `update eva.venture_artifacts set validation_status = 'needs_revision' where id = '${f.artifact}'`,
      delete: (f) => `delete from eva.venture_artifacts where id = '${f.artifact}'`,
    },
  },
  // Written only through the breaker functions and eva.fn_circuit_reset (test/circuit-breakers.test.ts).
  "eva.venture_circuit_breakers": {
    allowed: { select: READERS, insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.venture_circuit_breakers",
      insert: (f) =>
        `insert into eva.venture_circuit_breakers (venture_id, service) values ('${f.ventureA}', 'finance')`,
      update: (f) =>
        `update eva.venture_circuit_breakers set consecutive_failures = 2 where venture_id = '${f.ventureA}' and service = 'llm'`,
      delete: (f) => `delete from eva.venture_circuit_breakers where venture_id = '${f.ventureA}'`,
    },
  },
  "eva.venture_dependencies": {
    allowed: { select: READERS, insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.venture_dependencies",
      insert: (f) =>
        `insert into eva.venture_dependencies (dependent_venture_id, provider_venture_id, required_stage, dependency_type) values ('${f.ventureB}', '${f.ventureA}', 5, 'soft')`,
      update: (f) =>
        `update eva.venture_dependencies set status = 'met', resolved_at = now() where dependent_venture_id = '${f.ventureA}'`,
      delete: (f) => `delete from eva.venture_dependencies where dependent_venture_id = '${f.ventureA}'`,
    },
  },
  "eva.venture_budget_transactions": {
    allowed: { select: READERS, insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.venture_budget_transactions",
      insert: (f) =>
        `insert into eva.venture_budget_transactions (venture_id, lifecycle_stage, purpose, prompt_tokens, completion_tokens) values ('${f.ventureA}', 2, 'analysis', 1, 1)`,
      update: (f) => `update eva.venture_budget_transactions set prompt_tokens = 0 where venture_id = '${f.ventureA}'`,
      delete: (f) => `delete from eva.venture_budget_transactions where venture_id = '${f.ventureA}'`,
    },
  },
  "eva.venture_health_heatmap": dashboardView("eva.venture_health_heatmap", READERS, "lifecycle_stage"),
  "eva.venture_metric_history": dashboardView("eva.venture_metric_history", READERS, "ops_cycle"),
  // Written only through eva.fn_record_venture_metrics (test/metrics.test.ts); append-only.
  "eva.venture_metrics": {
    allowed: { select: READERS, insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.venture_metrics",
      insert: (f) =>
        `insert into eva.venture_metrics (venture_id, category, metric_name, value, observed_at, source, batch_id) values ('${f.ventureA}', 'revenue', 'MRR (EUR)', 1, now(), 'forged', gen_random_uuid())`,
      update: (f) => `update eva.venture_metrics set value = 2 where venture_id = '${f.ventureA}'`,
      delete: (f) => `delete from eva.venture_metrics where venture_id = '${f.ventureA}'`,
    },
  },
  // The outbox is the Chairman's inbox (test/notifications.test.ts): written by EVA's triggers and
  // eva.fn_notification_digest, marked read only through eva.fn_notification_read.
  "eva.notifications": {
    allowed: { select: [C, S], insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.notifications",
      insert: () =>
        "insert into eva.notifications (notification_type, urgency, channels, summary, action_path) values ('forged.one', 'immediate', '{inbox}', 'forged', '/')",
      update: (f) => `update eva.notifications set read_at = now() where decision_id = '${f.decision}'`,
      delete: (f) => `delete from eva.notifications where decision_id = '${f.decision}'`,
    },
  },
  // Written only through eva.fn_record_notification_attempt (the delivery job); append-only.
  "eva.notification_attempts": {
    allowed: { select: [C, S], insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.notification_attempts",
      insert: () =>
        "insert into eva.notification_attempts (notification_id, channel, attempt, outcome) select id, 'webhook', 9, 'delivered' from eva.notifications limit 1",
      update: () => "update eva.notification_attempts set outcome = 'delivered'",
      delete: () => "delete from eva.notification_attempts",
    },
  },
  // Written by the anomaly trigger and eva.fn_resolve_metric_anomaly (the DFE's job).
  "eva.metric_anomalies": {
    allowed: { select: [C, S], insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.metric_anomalies",
      insert: (f) =>
        `insert into eva.metric_anomalies (venture_id, metric_id, metric_name, value, median, mad, history) values ('${f.ventureA}', 1, 'x', 1, 1, 1, 5)`,
      update: () => "update eva.metric_anomalies set resolution = 'escalate', resolved_at = now()",
      delete: () => "delete from eva.metric_anomalies",
    },
  },
  // Written only through eva.fn_set_venture_cadence and the scheduler's functions (test/scheduler.test.ts).
  "eva.venture_cadence": {
    allowed: { select: [C, S], insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.venture_cadence",
      insert: (f) =>
        `insert into eva.venture_cadence (venture_id, risk_band, ops_cycle, health_check, chairman_summary) values ('${f.ventureA}', 'high', '7 days', '1 day', '7 days')`,
      update: (f) => `update eva.venture_cadence set ops_cycle = '2 days' where venture_id = '${f.ventureA}'`,
      delete: (f) => `delete from eva.venture_cadence where venture_id = '${f.ventureA}'`,
    },
  },
  "eva.venture_nursery": {
    allowed: { select: [C, S], insert: [], update: [C], delete: [] },
    statements: {
      select: () => "select * from eva.venture_nursery",
      insert: (f) =>
        `insert into eva.venture_nursery (decision_id, name, brief, review_at) values ('${f.decision}', 'x', '{}', now())`,
      update: (f) => `update eva.venture_nursery set status = 'revived' where id = '${f.nursery}'`,
      delete: (f) => `delete from eva.venture_nursery where id = '${f.nursery}'`,
    },
  },
  "eva.evaluation_profiles": {
    allowed: { select: [C, S], insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.evaluation_profiles",
      insert: () =>
        "insert into eva.evaluation_profiles (name, version, weight_cross_reference, weight_portfolio_evaluation, weight_problem_reframing, weight_moat_architecture, weight_chairman_constraints, weight_time_horizon, weight_archetypes, weight_build_cost, weight_virality) values ('forged', 1, 1, 0, 0, 0, 0, 0, 0, 0, 0)",
      update: () => "update eva.evaluation_profiles set is_active = true",
      delete: () => "delete from eva.evaluation_profiles",
    },
  },
  "eva.venture_blueprints": referenceTable(
    "eva.venture_blueprints",
    "(id, name, category, description, ehg_archetype, venture_archetype, name_template, problem_template, solution_template, target_market_template) values ('forged', 'x', 'x', 'x', 'automator', 'saas', 'x', 'x', 'x', 'x')",
    "name",
  ),
  "eva.discovery_strategies": referenceTable(
    "eva.discovery_strategies",
    "(name, purpose, signal_source, prompt_focus) values ('trend_scanner', 'x', 'x', 'x')",
    "purpose",
  ),
  "eva.discovery_runs": {
    allowed: { select: [C, S], insert: [S], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.discovery_runs",
      insert: () =>
        "insert into eva.discovery_runs (strategy, candidates_requested, epistemic_classification) values ('trend_scanner', 1, 'simulation')",
      update: () => "update eva.discovery_runs set candidates_requested = 2",
      delete: () => "delete from eva.discovery_runs",
    },
  },
  "eva.discovery_candidates": {
    allowed: { select: [C, S], insert: [S], update: [S], delete: [] },
    statements: {
      select: () => "select * from eva.discovery_candidates",
      insert: () =>
        "insert into eva.discovery_candidates (run_id, name, problem_statement, solution, target_market, automation_feasibility, competition_bonus) select id, 'x', 'x', 'x', 'x', 1, 1 from eva.discovery_runs limit 1",
      update: (f) => `update eva.discovery_candidates set selected = true where id = '${f.discoveryCandidate}'`,
      delete: () => "delete from eva.discovery_candidates",
    },
  },
  "eva.venture_briefs": {
    allowed: { select: [C, S], insert: [S], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.venture_briefs",
      insert: (f) =>
        `insert into eva.venture_briefs (decision_id, name, origin_type, maturity, venture_score, brief, epistemic_classification) values ('${f.decision}', 'x', 'manual', 'ready', 50, '{}', 'simulation')`,
      update: () => "update eva.venture_briefs set venture_score = 1",
      delete: () => "delete from eva.venture_briefs",
    },
  },
  "eva.venture_synthesis_feedback": {
    allowed: { select: [C, S], insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.venture_synthesis_feedback",
      insert: (f) =>
        `insert into eva.venture_synthesis_feedback (decision_id, outcome, name) values ('${f.decision}', 'killed', 'forged')`,
      update: () => "update eva.venture_synthesis_feedback set outcome = 'approved'",
      delete: () => "delete from eva.venture_synthesis_feedback",
    },
  },
  "eva.portfolio_patterns": {
    allowed: { select: READERS, insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.portfolio_patterns",
      insert: (f) =>
        `insert into eva.portfolio_patterns (lifecycle_stage, pattern_signature, first_venture_id) values (6, 'forged', '${f.ventureA}')`,
      update: () => "update eva.portfolio_patterns set ventures_seen = 9",
      delete: () => "delete from eva.portfolio_patterns",
    },
  },
  // The portfolio's knowledge (spec §10, §16): everyone signed in reads; only the knowledge functions write.
  ...Object.fromEntries(
    (
      [
        ["eva.portfolio_calibration", "ventures"],
        ["eva.portfolio_success_patterns", "rate"],
        ["eva.portfolio_anti_patterns", "rate"],
        ["eva.stage_mortality_curves", "hazard"],
        ["eva.stage_of_death_predictions", "death_probability"],
        ["eva.stage_of_death_prediction_scores", "brier"],
        ["eva.evaluation_profile_outcomes", "signal"],
        ["eva.counterfactual_runs", "accuracy"],
        ["eva.counterfactual_scores", "score"],
        ["eva.venture_templates", "domain"],
        ["eva.venture_template_recommendations", "similarity"],
      ] as const
    ).map(([table, column]): [string, TableRules] => [
      table,
      {
        allowed: { select: READERS, insert: [], update: [], delete: [] },
        statements: {
          select: () => `select * from ${table}`,
          insert: () => `insert into ${table} default values`,
          update: () => `update ${table} set ${column} = ${column}`,
          delete: () => `delete from ${table}`,
        },
      },
    ]),
  ),
  "eva.stage_of_death_calibration": dashboardView("eva.stage_of_death_calibration", READERS, "stage"),
  "eva.venture_phase_budgets": {
    allowed: { select: READERS, insert: [C], update: [C], delete: [] },
    statements: {
      select: () => "select * from eva.venture_phase_budgets",
      insert: (f) =>
        `insert into eva.venture_phase_budgets (venture_id, phase_number, budget_tokens) values ('${f.ventureC}', 2, 50000)`,
      update: (f) =>
        `update eva.venture_phase_budgets set budget_tokens = 60000 where venture_id = '${f.ventureA}' and phase_number = 1`,
      delete: (f) => `delete from eva.venture_phase_budgets where venture_id = '${f.ventureA}'`,
    },
  },
  "eva.venture_stage_transitions": auditTable(
    "eva.venture_stage_transitions",
    (f) => `(venture_id, from_stage, to_stage, transition_type) values ('${f.ventureA}', 2, 3, 'advance')`,
  ),
  // Stage work changes state only through the stage functions.
  "eva.venture_stage_work": {
    allowed: { select: READERS, insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.venture_stage_work",
      insert: (f) =>
        `insert into eva.venture_stage_work (venture_id, lifecycle_stage, run_number, status) values ('${f.ventureA}', 2, 2, 'completed')`,
      update: (f) =>
        `update eva.venture_stage_work set status = 'in_progress', started_at = now(), attempts = 1 where venture_id = '${f.ventureA}' and status = 'ready'`,
      delete: (f) => `delete from eva.venture_stage_work where venture_id = '${f.ventureA}'`,
    },
  },
  "eva.venture_state_history": auditTable(
    "eva.venture_state_history",
    (f) => `(venture_id, from_status, to_status, reason) values ('${f.ventureA}', 'active', 'exited', 'forged')`,
  ),
  "eva.venture_token_budgets": {
    allowed: { select: READERS, insert: [C], update: [C], delete: [] },
    statements: {
      select: () => "select * from eva.venture_token_budgets",
      insert: (f) =>
        `insert into eva.venture_token_budgets (venture_id, budget_tokens) values ('${f.ventureC}', 100000)`,
      update: (f) => `update eva.venture_token_budgets set budget_tokens = 200000 where venture_id = '${f.ventureA}'`,
      delete: (f) => `delete from eva.venture_token_budgets where venture_id = '${f.ventureA}'`,
    },
  },
  "eva.ventures": {
    allowed: { select: READERS, insert: [], update: [C], delete: [] },
    statements: {
      select: () => "select * from eva.ventures",
      insert: () =>
        "insert into eva.ventures (name, description, problem_statement, value_prop, target_market, archetype) values ('Forged', repeat('x', 60), repeat('x', 30), repeat('x', 30), 'everyone anywhere', 'saas')",
      update: (f) => `update eva.ventures set vertical_category = 'fintech tools' where id = '${f.ventureA}'`,
      delete: (f) => `delete from eva.ventures where id = '${f.ventureA}'`,
    },
  },
  "eva_private.analysis_cache": {
    allowed: { select: [], insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva_private.analysis_cache",
      insert: () =>
        `insert into eva_private.analysis_cache (prompt_hash, model, output, prompt_tokens, completion_tokens) values (repeat('a', 64), 'forged', '{}', 0, 0)`,
      update: () => "update eva_private.analysis_cache set hits = 0",
      delete: () => "delete from eva_private.analysis_cache",
    },
  },
  "eva_private.event_references": {
    allowed: { select: [], insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva_private.event_references",
      insert: () =>
        "insert into eva_private.event_references (table_name, column_name, replaced_constraint) values ('eva.x', 'y', 'z')",
      update: () => "update eva_private.event_references set column_name = column_name",
      delete: () => "delete from eva_private.event_references",
    },
  },
  "eva_private.partition_policies": {
    allowed: { select: [], insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva_private.partition_policies",
      insert: () => "insert into eva_private.partition_policies (table_name, partition_column) values ('eva.x', 'y')",
      update: () => "update eva_private.partition_policies set keep_months = 1",
      delete: () => "delete from eva_private.partition_policies",
    },
  },
  "eva_private.settings": {
    allowed: { select: [], insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva_private.settings",
      insert: () => "insert into eva_private.settings (key, value, description) values ('forged', '1', 'x')",
      update: () => "update eva_private.settings set value = '1'",
      delete: () => "delete from eva_private.settings",
    },
  },
  "eva_private.event_dispatch_cursor": {
    allowed: { select: [], insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva_private.event_dispatch_cursor",
      insert: () => "insert into eva_private.event_dispatch_cursor (xact_id, event_id) values (0, 0)",
      update: () => "update eva_private.event_dispatch_cursor set event_id = 0",
      delete: () => "delete from eva_private.event_dispatch_cursor",
    },
  },
  "eva_private.worker_heartbeats": {
    allowed: { select: [], insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva_private.worker_heartbeats",
      insert: () => "insert into eva_private.worker_heartbeats (worker_id, host, pid) values ('forged', 'h', 1)",
      update: () => "update eva_private.worker_heartbeats set beat_at = now()",
      delete: () => "delete from eva_private.worker_heartbeats",
    },
  },
  "eva_private.revoked_tokens": {
    allowed: { select: [], insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva_private.revoked_tokens",
      insert: () => "insert into eva_private.revoked_tokens (jti, revoked_by) values (gen_random_uuid(), 'forged')",
      update: () => "update eva_private.revoked_tokens set revoked_at = now()",
      delete: () => "delete from eva_private.revoked_tokens",
    },
  },
  "eva_private.token_epoch": {
    allowed: { select: [], insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva_private.token_epoch",
      insert: () =>
        "insert into eva_private.token_epoch (not_before, set_by) values (date_trunc('second', now()), 'forged')",
      update: () => "update eva_private.token_epoch set not_before = date_trunc('second', now())",
      delete: () => "delete from eva_private.token_epoch",
    },
  },
  "eva_private.sign_in_codes": {
    allowed: { select: [], insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva_private.sign_in_codes",
      insert: () =>
        "insert into eva_private.sign_in_codes (code_hash, role, expires_at) values (repeat('a', 64), 'eva_chairman', now() + interval '1 hour')",
      update: () => "update eva_private.sign_in_codes set used_at = null",
      delete: () => "delete from eva_private.sign_in_codes",
    },
  },
  // Tool policy (spec §12): read by everyone signed in; agents' profiles change through eva.fn_tool_assign (test/tools.test.ts).
  "eva.agent_tools": referenceTable(
    "eva.agent_tools",
    "(name, description, access) values ('forged', 'x', 'write')",
    "name",
  ),
  "eva.tool_profiles": referenceTable("eva.tool_profiles", "(name, description) values ('forged', 'x')", "name"),
  "eva.tool_profile_tools": referenceTable(
    "eva.tool_profile_tools",
    "(profile, tool) values ('minimal', 'write_artifact')",
    "tool",
  ),
  "eva.analysis_agents": referenceTable(
    "eva.analysis_agents",
    "(name, description, profile) values ('forged', 'x', 'full')",
    "profile",
  ),
  // Written by eva_private.fn_record_tool_call only.
  "eva.tool_calls": {
    allowed: { select: [C, S], insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.tool_calls",
      insert: () => "insert into eva.tool_calls (agent, tool, allowed, reason) values ('forged', 'search', true, 'x')",
      update: () => "update eva.tool_calls set allowed = true",
      delete: () => "delete from eva.tool_calls",
    },
  },
  // The search index: written by its triggers only (test/search.test.ts: what viewers find).
  "eva.search_documents": {
    allowed: { select: READERS, insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva.search_documents",
      insert: (f) =>
        `insert into eva.search_documents (kind, source_table, source_id, venture_id, title, body, document) values ('name', 'forged', 'x', '${f.ventureA}', 'x', 'x', 'x')`,
      update: () => "update eva.search_documents set title = 'rewritten'",
      delete: () => "delete from eva.search_documents",
    },
  },
  "eva_private.migrations": {
    allowed: { select: [], insert: [], update: [], delete: [] },
    statements: {
      select: () => "select * from eva_private.migrations",
      insert: () => "insert into eva_private.migrations (name, run_on) values ('9999_forged', now())",
      update: () => "update eva_private.migrations set name = name",
      delete: () => "delete from eva_private.migrations",
    },
  },
};

class Rollback extends Error {
  readonly result: unknown;
  constructor(result: unknown) {
    super("rolled back on purpose");
    this.result = result;
  }
}

/** Runs `fn` as `role` and rolls the transaction back, so every case starts from the same fixture. */
async function asRole<T>(role: Role, fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
  try {
    await withRole(t.db, role, async (trx) => {
      throw new Rollback(await fn(trx));
    });
  } catch (error) {
    if (error instanceof Rollback) return error.result as T;
    throw error;
  }
  throw new Error("unreachable");
}

/** Rows returned (select) or affected (insert, update, delete). */
async function run(db: Kysely<DB> | Transaction<DB>, statement: string): Promise<number> {
  const result = await sql.raw(statement).execute(db);
  return result.numAffectedRows === undefined ? result.rows.length : Number(result.numAffectedRows);
}

let f: Fixture;

beforeAll(async () => {
  const a = await createVenture(t.db);
  const b = await createVenture(t.db);
  const c = await createVenture(t.db);
  await advance(t.db, a.id, 1);
  const one = async <R>(statement: string) => (await sql.raw<R>(statement).execute(t.db)).rows[0] as R;
  const portfolio = await one<{ id: string }>(
    "insert into eva.portfolios (name, description) values ('Fixture Portfolio', 'seed') returning id",
  );
  const company = await one<{ id: string }>(
    `insert into eva.companies (portfolio_id, name) values ('${portfolio.id}', 'Fixture Company') returning id`,
  );
  const decision = await one<{ id: string }>(
    `insert into eva.chairman_decisions (venture_id, lifecycle_stage, decision_type, recommended_action) values ('${b.id}', 10, 'brand_approval', 'approve') returning id`,
  );
  const preference = await one<{ id: string }>(
    "insert into eva.chairman_preferences (scope, key, value) values ('global', 'kill_threshold', '0.4') returning id",
  );
  const alert = await one<{ id: string }>(
    `insert into eva.eva_alerts (venture_id, severity, alert_type, message) values ('${a.id}', 'P2', 'seed', 'seed alert') returning id`,
  );
  const review = await one<{ id: string }>(
    "insert into eva.chairman_decisions (lifecycle_stage, decision_type) values (0, 'venture_review') returning id",
  );
  const nursery = await one<{ id: string }>(
    `insert into eva.venture_nursery (decision_id, name, brief, review_at) values ('${review.id}', 'Parked idea', '{}', now() + interval '90 days') returning id`,
  );
  await sql
    .raw(
      `insert into eva.portfolio_patterns (lifecycle_stage, pattern_signature, first_venture_id) values (5, 'saas:5:subscription', '${a.id}')`,
    )
    .execute(t.db);
  await sql
    .raw(
      "insert into eva.evaluation_profiles (name, version, weight_cross_reference, weight_portfolio_evaluation, weight_problem_reframing, weight_moat_architecture, weight_chairman_constraints, weight_time_horizon, weight_archetypes, weight_build_cost, weight_virality) values ('seed', 1, 0.1, 0.1, 0.05, 0.15, 0.15, 0.1, 0.1, 0.1, 0.15)",
    )
    .execute(t.db);
  const stageZeroReview = await one<{ id: string }>(
    "insert into eva.chairman_decisions (lifecycle_stage, decision_type) values (0, 'venture_review') returning id",
  );
  await sql
    .raw(
      `insert into eva.venture_briefs (decision_id, name, origin_type, maturity, venture_score, brief, epistemic_classification) values ('${stageZeroReview.id}', 'Seed brief', 'manual', 'ready', 50, '{}', 'simulation')`,
    )
    .execute(t.db);
  await sql
    .raw(
      `insert into eva.venture_synthesis_feedback (decision_id, outcome, name) values ('${stageZeroReview.id}', 'parked', 'Seed brief')`,
    )
    .execute(t.db);
  const discoveryRun = await one<{ id: string }>(
    "insert into eva.discovery_runs (strategy, candidates_requested, epistemic_classification) values ('trend_scanner', 1, 'simulation') returning id",
  );
  const discoveryCandidate = await one<{ id: string }>(
    `insert into eva.discovery_candidates (run_id, name, problem_statement, solution, target_market, automation_feasibility, competition_bonus) values ('${discoveryRun.id}', 'Seed', 'x', 'x', 'x', 5, 5) returning id`,
  );
  const dlq = await one<{ id: string }>(
    "insert into eva.eva_event_dlq (event_type, failure_reason) values ('stage.entered', 'seed') returning id",
  );
  await sql
    .raw(
      "insert into eva.event_deliveries (subscription_id, event_id, event_logged_at, event_type) select id, 1, now(), 'seed.event' from eva.event_subscriptions limit 1",
    )
    .execute(t.db);
  const contract = await one<{ id: string }>(
    `insert into eva.agent_task_contracts (parent_agent, target_agent, venture_id, action) values ('eva', 'ceo', '${a.id}', 'seed') returning id`,
  );
  const saga = await one<{ id: string }>(
    `insert into eva.eva_sagas (venture_id, saga_type, current_step) values ('${a.id}', 'sd_execution', 'seed') returning id`,
  );
  const artifact = await one<{ id: string }>(
    `select id from eva.venture_artifacts where venture_id = '${a.id}' and artifact_type = 'idea_brief'`,
  );
  await sql
    .raw(`
      insert into eva.venture_circuit_breakers (venture_id, service) values ('${a.id}', 'llm');
      insert into eva.venture_circuit_breakers (venture_id, service, state, consecutive_failures, opened_at)
        values ('${b.id}', 'llm', 'open', 3, now());
      -- A run that began and completed, for the stage duration and failure views.
      update eva.venture_stage_work set attempts = greatest(attempts, 1),
        started_at = coalesce(started_at, completed_at - interval '2 seconds')
        where venture_id = '${a.id}' and status = 'completed';
      insert into eva.partition_archives (table_name, partition_name, range_from, range_to, row_count)
        values ('eva.eva_event_log', 'eva_partitions.eva_event_log_p200001', '2000-01-01', '2000-02-01', 0);
      -- Soft: a hard one would hold A's ready Stage 1 work as blocked, and tests below begin it.
      insert into eva.venture_dependencies (dependent_venture_id, provider_venture_id, required_stage, dependency_type)
        values ('${a.id}', '${b.id}', 3, 'soft');
      delete from eva.venture_phase_budgets where venture_id = '${c.id}';
      delete from eva.venture_token_budgets where venture_id = '${c.id}';
      select eva.fn_charge_tokens('${a.id}', 2, null, 'analysis', 120, 80, true, '{}');
      select eva.fn_charge_ideation_tokens('${portfolio.id}', null, 300, 200, true, '{}');
      insert into eva.sd_work_items (venture_id, saga_id, stage_work_id, kind, position, title)
        select '${a.id}', '${saga.id}', w.id, 'orchestrator', 0, 'Fixture sprint'
        from eva.venture_stage_work w where w.venture_id = '${a.id}' limit 1;
      select eva.fn_record_venture_metrics('${a.id}',
        '[{"category": "retention", "name": "Week-4 retention (%)", "value": 31, "source": "fixture"}]');
      select eva.fn_record_notification_attempt(n.id, 'webhook', 'failed', 500, 'fixture')
        from eva.notifications n where n.decision_id = '${decision.id}';
      insert into eva.metric_anomalies (venture_id, metric_id, metric_name, value, median, mad, robust_z, history)
        select m.venture_id, m.id, m.metric_name, m.value, 10, 1, 14, 5 from eva.venture_metrics m
        where m.venture_id = '${a.id}' limit 1;

      select eva_private.fn_venture_cadence('${a.id}');
      insert into eva.eva_saga_steps (saga_id, venture_id, step, status) values ('${saga.id}', '${a.id}', 'bridge_create', 'completed');
      insert into eva.eva_saga_substeps (saga_id, venture_id, step, key, status) values ('${saga.id}', '${a.id}', 'teardown_infra', 'db:db', 'pending');
      insert into eva.venture_infra_resources (venture_id, kind, name, external_id) values ('${a.id}', 'db', 'fixture-db', 'db-1');
      insert into eva.venture_archives (saga_id, venture_id, kind, key, uri, sha256, bytes)
        values ('${saga.id}', '${a.id}', 'records', 'fixture', 'file:///fixture', repeat('a', 64), 1);
      insert into eva.venture_retrospectives (saga_id, venture_id, stage_of_death, ended_as, analysis, epistemic_classification, pattern_signature)
        values ('${saga.id}', '${a.id}', 3, 'killed', '{}', 'simulation', 'retired:killed:fixture');
      select eva_private.fn_record_tool_call('devils_advocate', 'write_artifact', 'readonly', false, 'fixture', '${a.id}', null, null, null, null, '{}');
      select eva_private.fn_knowledge_store('{"ventures": 1,
        "calibration": [{"stage": 3, "metric": "overall_score", "band": "0-50", "bandLow": 0, "bandHigh": 50, "ventures": 1, "passedGate": 0, "diedLater": 0, "launched": 0, "pending": 1}],
        "successPatterns": [{"stage": 7, "signature": "saas:7:subscription", "source": "stage_outcome", "ventures": 2, "died": 0, "succeeded": 2, "rate": 1, "baseline": 0.5, "lift": 2}],
        "antiPatterns": [{"stage": 5, "signature": "saas:5:died-here", "source": "stage_outcome", "ventures": 2, "died": 2, "succeeded": 0, "rate": 1, "baseline": 0.5, "lift": 2}],
        "curves": [{"segment": "all", "stage": 5, "exposed": 0, "died": 0, "priorHazard": 0.25, "hazard": 0.25, "basis": "prior"}]}');
      select eva_private.fn_score_death_predictions(jsonb_build_object('scores', jsonb_build_array(jsonb_build_object(
        'predictionId', eva_private.fn_record_death_prediction(jsonb_build_object('ventureId', '${a.id}', 'fromStage', 1,
          'deathProbability', 0.5, 'distribution', '[{"stage": 1, "amplifiedHazard": 0.1}]'::jsonb)),
        'stage', 1, 'hazard', 0.1, 'died', false, 'brier', 0.01, 'logLoss', 0.1))));
      select eva_private.fn_template_extract('${a.id}', 'continue');
      insert into eva.venture_template_recommendations (venture_id, template_id, similarity)
        select '${b.id}', t.id, 0.5 from eva.venture_templates t where t.source_venture_id = '${a.id}';
      insert into eva.evaluation_profile_outcomes (venture_id, boundary, profile_key, survival_probability, signal, outcome)
        values ('${a.id}', 'stage_3', 'legacy', 0.8, 'pass', 'pending');
      with r as (insert into eva.counterfactual_runs (ventures, profiles, accuracy) values (1, '[]', '{}') returning id)
      insert into eva.counterfactual_scores (run_id, venture_id, profile_key, score, outcome)
        select r.id, '${a.id}', 'legacy', 50, 'open' from r;`)
    .execute(t.db);
  f = {
    ventureA: a.id,
    ventureB: b.id,
    ventureC: c.id,
    portfolio: portfolio.id,
    company: company.id,
    decision: decision.id,
    preference: preference.id,
    alert: alert.id,
    dlq: dlq.id,
    contract: contract.id,
    saga: saga.id,
    artifact: artifact.id,
    nursery: nursery.id,
    discoveryCandidate: discoveryCandidate.id,
  };
});

describe("row level security covers every table", () => {
  it("has row level security enabled on every table of eva and eva_private", async () => {
    const { rows } = await sql<{ name: string; rls: boolean }>`
      select n.nspname || '.' || c.relname as name, c.relrowsecurity as rls
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname in ('eva', 'eva_private') and c.relkind in ('r', 'p')
      order by 1`.execute(t.db);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => !r.rls).map((r) => r.name)).toEqual([]);
  });

  it("pins search_path on every security-definer function and grants no function to PUBLIC", async () => {
    const { rows } = await sql<{ fn: string; definer: boolean; config: string[] | null; public_execute: boolean }>`
      select p.oid::regprocedure::text as fn, p.prosecdef as definer, p.proconfig as config,
             has_function_privilege('public', p.oid, 'EXECUTE') as public_execute
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname in ('eva', 'eva_private')
      order by 1`.execute(t.db);
    expect(rows.filter((r) => r.definer).length).toBeGreaterThan(0);
    const unpinned = rows.filter((r) => r.definer && !r.config?.includes("search_path=pg_catalog, pg_temp"));
    expect(unpinned.map((r) => r.fn)).toEqual([]);
    expect(rows.filter((r) => r.public_execute).map((r) => r.fn)).toEqual([]);
  });

  it("has a row in this matrix for every table, so a new table without tests fails here", async () => {
    const { rows } = await sql<{ name: string }>`
      select n.nspname || '.' || c.relname as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname in ('eva', 'eva_private') and c.relkind in ('r', 'p', 'v', 'm', 'f')
        and not c.relispartition
      order by 1`.execute(t.db);
    expect(rows.map((r) => r.name)).toEqual(Object.keys(MATRIX).sort());
  });

  it("reads a partition only through its partitioned table (no role reads one directly)", async () => {
    const { rows } = await sql<{ name: string }>`
      select c.oid::regclass::text as name from pg_class c
      where c.relispartition and c.relkind = 'r'
        and c.relnamespace in ('eva'::regnamespace, 'eva_private'::regnamespace, 'eva_partitions'::regnamespace)`.execute(
      t.db,
    );
    expect(rows.map((r) => r.name)).toContain("eva_partitions.event_deliveries_default");
    expect(rows.map((r) => r.name)).toContain("eva_partitions.eva_event_log_default");
    for (const { name } of rows)
      await expect(asRole(V, (trx) => run(trx, `select * from ${name}`))).rejects.toMatchObject({ code: "42501" });
  });
});

for (const [table, rules] of Object.entries(MATRIX)) {
  describe(table, () => {
    const cases = OPS.flatMap((op) => ROLES.map((role) => ({ op, role, allowed: rules.allowed[op].includes(role) })));
    it.each(cases)("$role: $op allowed=$allowed", async ({ op, role, allowed }) => {
      const statement = rules.statements[op](f);
      if (op === "select" && rules.seesNothing?.includes(role)) {
        await expect(asRole(role, (trx) => run(trx, statement))).resolves.toBe(0);
      } else if (allowed) {
        // Allowed means it works on the fixture's row, not merely "no error".
        await expect(asRole(role, (trx) => run(trx, statement))).resolves.toBeGreaterThanOrEqual(1);
      } else {
        await expect(asRole(role, (trx) => run(trx, statement))).rejects.toMatchObject({
          code: rules.refusedWith?.[op] ?? "42501",
        });
      }
    });
  });
}

describe("column and row rules inside the grants", () => {
  it("lets a service open a pending Chairman decision but not a decided one", async () => {
    const insert = (columns: string, values: string) =>
      asRole(S, (trx) =>
        run(
          trx,
          `insert into eva.chairman_decisions (venture_id, lifecycle_stage, decision_type, ${columns}) values ('${f.ventureB}', 25, 'venture_future', ${values})`,
        ),
      );
    await expect(insert("urgency", "'daily'")).resolves.toBe(1);
    await expect(insert("status", "'decided'")).rejects.toMatchObject({ code: "42501" });
    await expect(insert("decision", "'continue'")).rejects.toMatchObject({ code: "42501" });
    await expect(insert("status, decision, decided_at", "'decided', 'continue', now()")).rejects.toMatchObject({
      code: "42501",
    });
    await expect(insert("decided_by", "'eva_chairman'")).rejects.toMatchObject({ code: "42501" });
  });

  it("lets the Chairman decide a pending decision through eva.fn_decide only, and never open one", async () => {
    await expect(
      asRole(C, (trx) =>
        run(
          trx,
          `update eva.chairman_decisions set status = 'decided', decision = 'reject' where id = '${f.decision}'`,
        ),
      ),
    ).rejects.toMatchObject({ code: "42501", message: "permission denied for table chairman_decisions" });
    const decided = await asRole(C, async (trx) => {
      await run(trx, `select eva.fn_decide('${f.decision}', 'reject', 'through the function')`);
      return trx.selectFrom("chairman_decisions").select(["status", "decision"]).where("id", "=", f.decision).execute();
    });
    expect(decided).toEqual([{ status: "decided", decision: "reject" }]);
    await expect(
      asRole(C, (trx) =>
        run(
          trx,
          `insert into eva.chairman_decisions (venture_id, lifecycle_stage, decision_type) values ('${f.ventureB}', 25, 'venture_future')`,
        ),
      ),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("refuses a service logging a chairman.* event: only a decision logs one", async () => {
    await expect(
      asRole(S, (trx) =>
        run(
          trx,
          `insert into eva.eva_event_log (event_type, venture_id, payload) values ('chairman.approval', '${f.ventureA}', '{"decision_id": "${f.decision}"}')`,
        ),
      ),
    ).rejects.toMatchObject({ code: "42501", message: expect.stringMatching(/row-level security/) });
  });

  it("refuses every role writing stage work directly; a service moves it through the stage functions", async () => {
    for (const role of ROLES) {
      for (const set of ["status = 'in_progress', started_at = now()", "status = 'failed'", "status = 'completed'"]) {
        await expect(
          asRole(role, (trx) =>
            run(
              trx,
              `update eva.venture_stage_work set ${set} where venture_id = '${f.ventureA}' and status = 'ready'`,
            ),
          ),
          `${role}: ${set}`,
        ).rejects.toMatchObject({ code: "42501", message: "permission denied for table venture_stage_work" });
      }
    }
    const begun = await asRole(S, async (trx) => {
      const { id } = await trx
        .selectFrom("venture_stage_work")
        .select("id")
        .where("venture_id", "=", f.ventureA)
        .where("status", "=", "ready")
        .executeTakeFirstOrThrow();
      await run(trx, `select eva.fn_begin_stage_run('${id}')`);
      return trx.selectFrom("venture_stage_work").select(["status", "attempts"]).where("id", "=", id).execute();
    });
    expect(begun).toEqual([{ status: "in_progress", attempts: 1 }]);
  });

  it("refuses every role starting or moving a saga directly", async () => {
    for (const role of ROLES) {
      await expect(
        asRole(role, (trx) => run(trx, `update eva.eva_sagas set status = 'completed' where id = '${f.saga}'`)),
      ).rejects.toMatchObject({ code: "42501", message: "permission denied for table eva_sagas" });
    }
  });

  it("refuses anyone recording a gate outcome or a completed stage by writing the row", async () => {
    for (const role of ROLES) {
      await expect(
        asRole(role, (trx) =>
          run(trx, `update eva.venture_stage_work set gate_decision = 'pass' where venture_id = '${f.ventureA}'`),
        ),
      ).rejects.toMatchObject({ code: "42501" });
    }
  });

  it("keeps a venture's status and stage out of direct updates, for every role", async () => {
    for (const role of ROLES) {
      for (const set of ["status = 'killed'", "current_lifecycle_stage = 25", "name = 'Renamed'"]) {
        await expect(
          asRole(role, (trx) => run(trx, `update eva.ventures set ${set} where id = '${f.ventureA}'`)),
        ).rejects.toMatchObject({ code: "42501", message: "permission denied for table ventures" });
      }
    }
  });

  it("gives the Chairman the strategic fields of a venture and services none (they write through EVA's functions)", async () => {
    const set = (role: Role, assignment: string) =>
      asRole(role, (trx) => run(trx, `update eva.ventures set ${assignment} where id = '${f.ventureA}'`));
    await expect(set(S, "health_score = 0.8, health_status = 'green'")).rejects.toMatchObject({ code: "42501" });
    await expect(set(C, "health_score = 0.8")).rejects.toMatchObject({ code: "42501" });
    await expect(set(C, "moat_strategy = 'network effects'")).resolves.toBe(1);
    await expect(set(S, "moat_strategy = 'network effects'")).rejects.toMatchObject({ code: "42501" });
  });

  it("lets the Chairman change a preference's value only, and a service read it but not write it", async () => {
    const change = (role: Role, assignment: string) =>
      asRole(role, (trx) => run(trx, `update eva.chairman_preferences set ${assignment} where id = '${f.preference}'`));
    await expect(change(C, "value = '0.6'")).resolves.toBe(1);
    await expect(change(C, "key = 'other_key'")).rejects.toMatchObject({ code: "42501" });
    await expect(change(S, "value = '0.6'")).rejects.toMatchObject({ code: "42501" });
    await expect(
      asRole(S, (trx) =>
        trx.selectFrom("chairman_preferences").select("value").where("id", "=", f.preference).execute(),
      ),
    ).resolves.toEqual([{ value: "0.4" }]);
  });

  it("lets only the database number artifact versions and stamp their author", async () => {
    await expect(
      asRole(S, (trx) =>
        run(
          trx,
          `insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, version, content, epistemic_classification) values ('${f.ventureA}', 2, 'idea_validation', 7, '{}', 'fact')`,
        ),
      ),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(
      asRole(S, (trx) =>
        run(
          trx,
          `insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, epistemic_classification, created_by) values ('${f.ventureA}', 2, 'idea_validation', '{}', 'fact', 'eva_chairman')`,
        ),
      ),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("lets viewers and anonymous call none of the writing functions", async () => {
    const calls = [
      `select eva.fn_advance_venture_stage('${f.ventureA}', 2)`,
      `select eva.fn_set_venture_status('${f.ventureA}', 'paused', 'probe')`,
      `select eva.fn_record_gate_outcome('${f.ventureA}', 3, 'pass', 'probe')`,
      `select * from eva.fn_resolve_chairman_preferences('${f.ventureA}')`,
      "select eva.fn_create_venture('Probe', repeat('x', 60), repeat('x', 30), repeat('x', 30), 'everyone anywhere', 'saas')",
      `select eva_private.fn_log_event('probe.sent', '${f.ventureA}', '{}')`,
    ];
    for (const role of [V, "eva_anonymous"] as Role[]) {
      for (const call of calls) {
        await expect(
          asRole(role, (trx) => run(trx, call)),
          `${role}: ${call}`,
        ).rejects.toMatchObject({ code: "42501" });
      }
    }
    // Services and the Chairman reach only the public functions, never eva_private directly.
    for (const role of [C, S]) {
      await expect(
        asRole(role, (trx) => run(trx, `select eva_private.fn_log_event('probe.sent', '${f.ventureA}', '{}')`)),
      ).rejects.toMatchObject({ code: "42501" });
    }
  });
});
