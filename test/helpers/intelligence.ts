// Portfolio histories for the knowledge base's tests, made the way EVA makes
// them: stage runs recorded as a worker records them (walkToDecision), and a
// kill recorded as a kill gate's result (eva.fn_record_stage_result).
import { sql } from "kysely";
import { type Database, withRole } from "../../src/db/client.ts";
import { createVenture, type VentureSeed, walkToDecision } from "./fixtures.ts";

/** Artifact contents by stage: what the kill gates, the DFE's key choices and calibration read. */
export type Contents = Record<number, unknown>;

export function contents(o: { score3?: number; pricing5?: string; ltvCac?: number; roi?: number } = {}): Contents {
  return {
    3: { overallScore: o.score3 ?? 72, rollups: { market: 70, technical: 70, financial: 70 } },
    5: {
      assumptions: { pricingModel: o.pricing5 ?? "subscription" },
      unitEconomics: { ltvCacRatio: o.ltvCac ?? 3.5 },
      projections: { roi3y: o.roi ?? 1.2, breakEvenMonth: 14 },
    },
  };
}

/** A venture whose stages pass up to and including `through` (it then waits at through + 1). */
export async function ventureThrough(
  db: Database,
  through: number,
  seed: VentureSeed = {},
  content: Contents = contents(),
): Promise<{ id: string; name: string }> {
  const v = await createVenture(db, seed);
  if (through >= 1) await walkToDecision(db, v.id, through, content);
  return v;
}

/** Kills the venture at its open stage, as a kill gate's result would. */
export async function killAtOpenStage(
  db: Database,
  ventureId: string,
  content: Contents = contents(),
): Promise<number> {
  const work = await db
    .selectFrom("venture_stage_work")
    .innerJoin("lifecycle_stage_config", "lifecycle_stage_config.stage_number", "venture_stage_work.lifecycle_stage")
    .select(["venture_stage_work.id", "lifecycle_stage", "produces", "gate_type"])
    .where("venture_id", "=", ventureId)
    .where("status", "=", "ready")
    .executeTakeFirstOrThrow();
  const artifacts = [
    {
      artifactType: work.produces[0],
      content: content[work.lifecycle_stage] ?? { stage: work.lifecycle_stage },
      qualityScore: 60,
      epistemicClassification: "simulation",
    },
  ];
  const gate = work.gate_type === "none" ? null : { decision: "kill", rationale: "test: the numbers do not hold" };
  await withRole(db, "eva_service", async (trx) => {
    await sql`select eva.fn_begin_stage_run(${work.id}::uuid)`.execute(trx);
    await sql`select eva.fn_record_stage_result(${work.id}::uuid, ${JSON.stringify(artifacts)}::jsonb,
      ${gate ? JSON.stringify(gate) : null}::jsonb, '[]'::jsonb,
      ${JSON.stringify({ action: "kill", reason: "the kill gate decided kill" })}::jsonb)`.execute(trx);
  });
  return work.lifecycle_stage;
}

/** A venture that passes Stages 1-4 and is killed at Stage 5. */
export async function killedAtFive(db: Database, seed: VentureSeed = {}, content: Contents = contents()) {
  const v = await ventureThrough(db, 4, seed, content);
  await killAtOpenStage(db, v.id, content);
  return v;
}

const APPROVE: Record<string, string> = {
  brand_approval: "approve",
  release_decision: "release",
  dfe_escalation: "proceed",
};

/** Walks the venture to its Stage 25 review, approving the Chairman gates on the way; returns the review's decision id. */
export async function walkToReview(db: Database, ventureId: string, content: Contents = contents()): Promise<string> {
  for (let guard = 0; guard < 10; guard++) {
    const id = await walkToDecision(db, ventureId, 25, content);
    if (!id) throw new Error("the venture stopped before its Stage 25 review");
    const d = await db
      .selectFrom("chairman_decisions")
      .select("decision_type")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    if (d.decision_type === "venture_future") return id;
    const decision = APPROVE[d.decision_type];
    if (!decision) throw new Error(`no approving decision for ${d.decision_type}`);
    await withRole(db, "eva_chairman", (trx) =>
      sql`select * from eva.fn_decide(${id}::uuid, ${decision})`.execute(trx),
    );
  }
  throw new Error("the venture never reached its Stage 25 review");
}
