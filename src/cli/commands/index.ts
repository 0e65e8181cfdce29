// The eva command's top-level commands: what `eva --help` lists, and how to
// load each one. A command's module (and what it imports: the database,
// worker, GraphQL, model clients) is loaded only when that command runs.
import type { Command } from "commander";

interface CommandSpec {
  summary: string;
  /** Its arguments, as the command declares them, for `eva --help`'s list. */
  args?: string;
  load: () => Promise<(program: Command) => void>;
}

export type CommandName =
  | "start"
  | "db"
  | "ventures"
  | "run"
  | "worker"
  | "artifacts"
  | "ideate"
  | "decisions"
  | "chairman"
  | "sd"
  | "gates"
  | "metrics"
  | "notifications"
  | "schedule"
  | "dlq"
  | "circuits"
  | "sagas"
  | "orchestration"
  | "marketing"
  | "serve"
  | "profiles"
  | "search"
  | "tools"
  | "blueprints"
  | "nursery"
  | "knowledge"
  | "templates";

export const COMMANDS: Record<CommandName, CommandSpec> = {
  start: {
    summary:
      "run EVA: database (embedded unless DATABASE_URL is set), migrations, worker and the Chairman's GraphQL API; seeds a demo portfolio on first run; serves until Ctrl-C",
    load: async () => (await import("./start.ts")).registerStart,
  },
  db: {
    summary: "manage EVA's database schema",
    load: async () => (await import("./db.ts")).registerDb,
  },
  ventures: {
    summary: "create and inspect ventures",
    load: async () => (await import("./ventures.ts")).registerVentures,
  },
  run: {
    args: "<venture>",
    summary: "run a venture's stages forward in this process until the Chairman is needed, a gate stops it, or --until",
    load: async () => (await import("./run.ts")).registerRun,
  },
  worker: {
    summary: "run EVA's jobs (stage runs) until Ctrl-C; run several, on several machines, against one database",
    load: async () => (await import("./run.ts")).registerWorker,
  },
  artifacts: {
    summary: "read a venture's stage artifacts (immutable versions)",
    load: async () => (await import("./artifacts.ts")).registerArtifacts,
  },
  ideate: {
    summary: "Stage 0: synthesize a venture brief from an idea and open the Chairman's review of it",
    load: async () => (await import("./ideate.ts")).registerIdeate,
  },
  decisions: {
    summary: "the Chairman's decisions: the queue, and deciding",
    load: async () => (await import("./decisions.ts")).registerDecisions,
  },
  chairman: {
    summary: "the Chairman's credentials",
    load: async () => (await import("./chairman.ts")).registerChairman,
  },
  sd: {
    summary:
      "engineering's work from the SD bridge: list Stage 18 sprint items, report each one's result, report a bug after launch",
    load: async () => (await import("./sd.ts")).registerSd,
  },
  metrics: {
    summary: "a venture's measured metrics (AARRR): record them, import a file, read their history per ops cycle",
    load: async () => (await import("./metrics.ts")).registerMetrics,
  },
  notifications: {
    summary:
      "the Chairman's inbox: notifications by urgency (immediate, daily digest, weekly summary), read and unread",
    load: async () => (await import("./notifications.ts")).registerNotifications,
  },
  schedule: {
    args: "[venture]",
    summary:
      "what the master scheduler does when: due ops cycles and health checks, cadence overrides, run-now, its clock",
    load: async () => (await import("./schedule.ts")).registerSchedule,
  },
  dlq: {
    summary:
      "the dead-letter queue of event subscriptions: deliveries that failed every attempt; list, replay once, drop",
    load: async () => (await import("./dlq.ts")).registerDlq,
  },
  circuits: {
    summary:
      "the circuit breakers per venture and per model provider: state, failures, when they half-open; the Chairman's reset",
    load: async () => (await import("./circuits.ts")).registerCircuits,
  },
  sagas: {
    summary:
      "the durable sagas (SD execution, reality gate retry, venture retirement): list them, show their steps, resume a paused one, cancel",
    load: async () => (await import("./sagas.ts")).registerSagas,
  },
  orchestration: {
    summary:
      "orchestration metrics: stage durations and failure rates, job queue, dead letters, open circuits, LLM tokens and latency, event-log partitions",
    load: async () => (await import("./orchestration.ts")).registerOrchestration,
  },
  marketing: {
    summary:
      "the marketing engine: content generated per platform from the venture's brand, GTM plan and funnel, brand-reviewed, published through the dispatch outbox, measured in daily rollups, email drip campaigns, and the bandits that learn from them",
    load: async () => (await import("./marketing.ts")).registerMarketing,
  },
  gates: {
    summary: "re-evaluate a venture's recorded gates (what-if, no model)",
    load: async () => (await import("./gates.ts")).registerGates,
  },
  serve: {
    summary: "serve the Chairman's GraphQL API (/graphql) and GraphiQL (/graphiql) until Ctrl-C",
    load: async () => (await import("./serve.ts")).registerServe,
  },
  knowledge: {
    summary:
      "the portfolio knowledge base: calibration, successful patterns, anti-patterns, stage-of-death predictions, gate signals, the counterfactual engine (no model call)",
    load: async () => (await import("./knowledge.ts")).registerKnowledge,
  },
  templates: {
    summary: "venture templates extracted at a Stage 25 continue or exit, and the ones recommended to a venture",
    load: async () => (await import("./templates.ts")).registerTemplates,
  },
  profiles: {
    summary: "Stage 0's evaluation profiles: the synthesis weights and gate thresholds; list, show, create, activate",
    load: async () => (await import("./profiles.ts")).registerProfiles,
  },
  search: {
    args: "<query...>",
    summary:
      "search every venture's names, briefs, current artifacts and learnings by their words (and by meaning where pgvector is installed)",
    load: async () => (await import("./search.ts")).registerSearch,
  },
  tools: {
    summary:
      "the analysis agents' tool policy: profiles (full, coding, readonly, minimal), agents, every tool call recorded; assign a profile",
    load: async () => (await import("./tools.ts")).registerTools,
  },
  blueprints: {
    summary: "Stage 0's blueprint templates (blueprint_browse path): categories, archetypes, parameters with defaults",
    load: async () => (await import("./blueprints.ts")).registerBlueprints,
  },
  nursery: {
    summary:
      "Stage 0's Venture Nursery: parked ideas, their trigger conditions, review dates, staleness and re-evaluations",
    load: async () => (await import("./nursery.ts")).registerNursery,
  },
};

/** The one-line description of a top-level command (its module's description, and `eva --help`'s). */
export function summaryOf(name: CommandName): string {
  return COMMANDS[name].summary;
}
