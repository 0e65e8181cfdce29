// Test data made the way users make it: through EVA's SQL functions, as the Chairman.
import { sql } from "kysely";
import { type Database, withRole } from "../../src/db/client.ts";

let counter = 0;

export interface VentureSeed {
  name?: string;
  archetype?: "saas" | "marketplace" | "deeptech" | "hardware" | "services" | "media" | "fintech";
  keyAssumptions?: string[];
}

export async function createVenture(db: Database, seed: VentureSeed = {}): Promise<{ id: string; name: string }> {
  counter += 1;
  const name = seed.name ?? `Venture ${counter} ${Math.random().toString(36).slice(2, 8)}`;
  return withRole(db, "eva_chairman", async (trx) => {
    const { rows } = await sql<{ id: string; name: string }>`
      select id, name from eva.fn_create_venture(
        ${name},
        ${"An invoice reconciliation assistant for small accounting firms that drown in paperwork."},
        ${"Small firms lose hours every week matching invoices to payments."},
        ${"Matches every invoice to its payment automatically, with an audit trail."},
        ${"Accounting firms with 2-20 staff in the EU"},
        ${seed.archetype ?? "saas"}::eva.venture_archetype,
        ${seed.keyAssumptions ?? ["Firms will pay 49 EUR a month", "Bank feeds are available"]}::text[],
        ${["100 paying firms in 12 months"]}::text[])`.execute(trx);
    const row = rows[0];
    if (!row) throw new Error("fn_create_venture returned no row");
    return row;
  });
}

/**
 * Advances a venture from `from` to `from + 1`, recording a passing gate outcome first when the stage has one.
 * Runs on the superuser connection: no request role may call the state functions (EVA's own functions do).
 */
export async function advance(db: Database, ventureId: string, from: number, gateDecision?: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (gateDecision) {
      await sql`select eva.fn_record_gate_outcome(${ventureId}::uuid, ${from}, ${gateDecision}, ${"test rationale"})`.execute(
        trx,
      );
    }
    await sql`select eva.fn_advance_venture_stage(${ventureId}::uuid, ${from})`.execute(trx);
  });
}

const ESCALATION_ROUTE = {
  action: "escalate",
  reason: "cost",
  recommendedAction: "proceed",
  dfe: { output: "PRESENT_TO_CHAIRMAN", triggers: [], patternSignature: "" },
};

/**
 * A DFE escalation at Stage 1, opened by the engine as eva_service would (see test/decide.test.ts);
 * `route` replaces the engine's route (its dfe: triggers, mitigations, thresholds).
 */
export async function openEscalation(
  db: Database,
  service: Database,
  route: object = ESCALATION_ROUTE,
): Promise<{ ventureId: string; decisionId: string; name: string }> {
  const v = await createVenture(db);
  const work = await db
    .selectFrom("venture_stage_work")
    .select("id")
    .where("venture_id", "=", v.id)
    .where("status", "=", "ready")
    .executeTakeFirstOrThrow();
  await sql`select eva.fn_begin_stage_run(${work.id}::uuid)`.execute(service);
  await sql`select eva.fn_record_stage_result(${work.id}::uuid, '[]'::jsonb, null, '[]'::jsonb,
    ${JSON.stringify(route)}::jsonb)`.execute(service);
  const d = await db
    .selectFrom("chairman_decisions")
    .select("id")
    .where("venture_id", "=", v.id)
    .where("status", "=", "pending")
    .executeTakeFirstOrThrow();
  return { ventureId: v.id, decisionId: d.id, name: v.name };
}

/** Stage 18's SD bridge output: a sprint of one work item. */
const SPRINT = {
  sdBridgeOutput: {
    orchestrator: { title: "Sprint 1", sprintGoal: "ship the core" },
    children: [
      {
        title: "Core workflow",
        type: "feature",
        estimatedLoc: 300,
        acceptanceCriteria: ["works"],
        architectureLayer: "api",
      },
    ],
  },
};

const PASSING_GATE: Record<string, string> = {
  kill: "pass",
  reality: "pass",
  promotion: "release",
  build_readiness: "go",
  sprint_completion: "complete",
  quality: "pass",
  review: "approve",
  venture_decision: "continue",
};

/**
 * Records passing stage runs as a worker would (eva.fn_begin_stage_run +
 * eva.fn_record_stage_result, as eva_service) until the venture waits for the
 * Chairman or its open work is past `until` (engineering reports Stage 18's
 * sprint items as succeeded on the way); returns the pending decision's id.
 */
export async function walkToDecision(
  db: Database,
  ventureId: string,
  until = 25,
  /** An artifact's content by stage (default: Stage 18's one-item sprint, `{ stage }` elsewhere). */
  content: Record<number, unknown> = {},
): Promise<string | undefined> {
  const configs = await db
    .selectFrom("lifecycle_stage_config")
    .select(["stage_number", "gate_type", "produces"])
    .execute();
  for (let guard = 0; guard < 60; guard++) {
    const work = await db
      .selectFrom("venture_stage_work")
      .select(["id", "lifecycle_stage", "status"])
      .where("venture_id", "=", ventureId)
      .where("status", "in", ["ready", "blocked", "awaiting_decision"])
      .executeTakeFirst();
    if (!work || work.lifecycle_stage > until) break;
    if (work.status === "blocked") {
      // Stage 19 waits for engineering: report every pending sprint item as succeeded.
      const items = await db
        .selectFrom("sd_work_items")
        .select("id")
        .where("venture_id", "=", ventureId)
        .where("kind", "=", "child")
        .where("status", "=", "pending")
        .execute();
      if (items.length === 0) break;
      for (const item of items)
        await withRole(db, "eva_service", (trx) =>
          sql`select eva.fn_sd_complete(${item.id}::uuid, 'succeeded', 10, 0, 90)`.execute(trx),
        );
      continue;
    }
    if (work.status !== "ready") break;
    const c = configs.find((x) => x.stage_number === work.lifecycle_stage);
    const artifacts =
      work.lifecycle_stage === 1 || !c
        ? []
        : [
            {
              artifactType: c.produces[0],
              content:
                content[work.lifecycle_stage] ??
                (work.lifecycle_stage === 18 ? SPRINT : { stage: work.lifecycle_stage }),
              qualityScore: 80,
              epistemicClassification: "simulation",
            },
          ];
    const decision = c && c.gate_type !== "none" ? PASSING_GATE[c.gate_type] : undefined;
    const gate = decision ? { decision, rationale: "test", recommendedAction: decision } : null;
    await withRole(db, "eva_service", async (trx) => {
      await sql`select eva.fn_begin_stage_run(${work.id}::uuid)`.execute(trx);
      await sql`select eva.fn_record_stage_result(${work.id}::uuid, ${JSON.stringify(artifacts)}::jsonb,
        ${gate ? JSON.stringify(gate) : null}::jsonb, '[]'::jsonb, '{"action": "advance"}'::jsonb)`.execute(trx);
    });
  }
  const pending = await db
    .selectFrom("chairman_decisions")
    .select("id")
    .where("venture_id", "=", ventureId)
    .where("status", "=", "pending")
    .executeTakeFirst();
  return pending?.id;
}
