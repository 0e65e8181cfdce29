-- Up Migration

-- Enum families of spec §7.3 and the state machines' states. Categorical
-- values are database types so that psql, GraphQL and the stage schemas share
-- one vocabulary.

-- Cross-stage enum families (§7.3)
create type eva.severity as enum ('critical', 'high', 'medium', 'low');
create type eva.task_status as enum ('pending', 'in_progress', 'done', 'blocked');
create type eva.defect_status as enum ('open', 'in_progress', 'resolved', 'wontfix');
create type eva.initiative_status as enum ('planned', 'in_progress', 'completed', 'abandoned', 'deferred');
create type eva.learning_category as enum ('product', 'market', 'technical', 'financial', 'process');
create type eva.test_type as enum ('unit', 'integration', 'e2e');

-- Stage-specific enums (§7.3, §8)
create type eva.venture_archetype as enum ('saas', 'marketplace', 'deeptech', 'hardware', 'services', 'media', 'fintech');
create type eva.exit_type as enum ('acquisition', 'ipo', 'merger', 'mbo', 'liquidation');
create type eva.buyer_type as enum ('strategic', 'financial', 'competitor', 'pe');
create type eva.launch_type as enum ('soft_launch', 'beta', 'general_availability');
create type eva.naming_strategy as enum ('descriptive', 'abstract', 'acronym', 'founder', 'metaphorical');
create type eva.channel_type as enum ('paid', 'organic', 'earned', 'owned');
create type eva.constraint_category as enum ('performance', 'security', 'scalability', 'compliance', 'budget', 'timeline');
create type eva.release_category as enum ('feature', 'bugfix', 'infrastructure', 'documentation', 'configuration');
create type eva.pricing_model as enum ('freemium', 'subscription', 'one_time', 'usage_based', 'marketplace_commission', 'hybrid');
create type eva.milestone_priority as enum ('now', 'next', 'later');

-- Gates (§7.2): the kind of gate a stage carries.
create type eva.gate_type as enum (
  'none', 'kill', 'reality', 'promotion', 'build_readiness', 'sprint_completion', 'quality', 'review', 'venture_decision'
);

-- Artifacts (§5)
create type eva.validation_status as enum ('pending', 'validated', 'rejected', 'needs_revision');
create type eva.epistemic_classification as enum ('fact', 'assumption', 'simulation', 'unknown');

-- Venture lifecycle status. Legal moves are held by eva_private.venture_status_transition_allowed().
create type eva.venture_status as enum ('active', 'awaiting_decision', 'paused', 'killed', 'sunset', 'exited');

-- Per-venture stage work
create type eva.stage_work_status as enum (
  'ready', 'in_progress', 'blocked', 'awaiting_decision', 'completed', 'failed', 'superseded'
);

create type eva.decision_status as enum ('pending', 'decided', 'superseded', 'withdrawn');
create type eva.decision_urgency as enum ('immediate', 'daily', 'weekly');
create type eva.preference_scope as enum ('global', 'venture');
create type eva.dependency_type as enum ('hard', 'soft');
create type eva.dependency_status as enum ('pending', 'met', 'broken');
create type eva.contract_status as enum ('pending', 'assigned', 'in_progress', 'completed', 'failed', 'timeout');
create type eva.saga_type as enum ('sd_execution', 'reality_gate_retry', 'venture_retirement');
create type eva.saga_status as enum ('active', 'paused', 'completed', 'failed');
create type eva.alert_severity as enum ('P0', 'P1', 'P2');
create type eva.alert_status as enum ('open', 'acknowledged', 'resolved');
create type eva.circuit_state as enum ('closed', 'open', 'half_open');
create type eva.dlq_status as enum ('pending', 'replayed', 'discarded');

-- Down Migration
drop type eva.severity, eva.task_status, eva.defect_status, eva.initiative_status, eva.learning_category, eva.test_type, eva.venture_archetype, eva.exit_type, eva.buyer_type, eva.launch_type, eva.naming_strategy, eva.channel_type, eva.constraint_category, eva.release_category, eva.pricing_model, eva.milestone_priority, eva.gate_type, eva.validation_status, eva.epistemic_classification, eva.venture_status, eva.stage_work_status, eva.decision_status, eva.decision_urgency, eva.preference_scope, eva.dependency_type, eva.dependency_status, eva.contract_status, eva.saga_type, eva.saga_status, eva.alert_severity, eva.alert_status, eva.circuit_state, eva.dlq_status;
