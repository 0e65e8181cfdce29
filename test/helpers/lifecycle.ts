// Walks a venture through its stages by recording passing runs through EVA's
// SQL functions (as the service), until the Chairman is needed.
import { sql } from "kysely";
import type { Database } from "../../src/db/client.ts";

const PASSING: Record<string, string> = {
  kill: "pass",
  reality: "pass",
  promotion: "release",
  build_readiness: "go",
  sprint_completion: "complete",
  quality: "pass",
  review: "approve",
  venture_decision: "continue",
};
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

export interface Walker {
  /** Records passing runs until the venture waits for the Chairman; returns the pending decision's id. */
  walk(ventureId: string, content?: Record<number, unknown>): Promise<string | undefined>;
}

export async function walker(db: Database, service: Database): Promise<Walker> {
  const configs = await db
    .selectFrom("lifecycle_stage_config")
    .select(["stage_number", "gate_type", "produces"])
    .execute();
  const config = (stage: number) =>
    configs.find((c) => c.stage_number === stage) ?? { gate_type: "none", produces: [] };
  const openWork = (ventureId: string) =>
    db
      .selectFrom("venture_stage_work")
      .select(["id", "lifecycle_stage", "status"])
      .where("venture_id", "=", ventureId)
      .where("status", "in", ["ready", "blocked", "awaiting_decision"])
      .executeTakeFirst();
  return {
    async walk(ventureId, content = {}) {
      for (let guard = 0; guard < 60; guard++) {
        const work = await openWork(ventureId);
        if (!work || work.status === "awaiting_decision") break;
        if (work.status === "blocked") {
          const items = await db
            .selectFrom("sd_work_items")
            .select("id")
            .where("venture_id", "=", ventureId)
            .where("kind", "=", "child")
            .where("status", "=", "pending")
            .execute();
          for (const item of items)
            await sql`select eva.fn_sd_complete(${item.id}::uuid, 'succeeded', 10, 0, 90)`.execute(service);
          continue;
        }
        const stage = work.lifecycle_stage;
        const c = config(stage);
        const artifacts =
          stage === 1
            ? []
            : [
                {
                  artifactType: c.produces[0],
                  content: content[stage] ?? (stage === 18 ? SPRINT : { stage }),
                  qualityScore: 80,
                  epistemicClassification: "simulation",
                },
              ];
        const gate =
          c.gate_type === "none"
            ? null
            : { decision: PASSING[c.gate_type], rationale: "test", recommendedAction: PASSING[c.gate_type] };
        await sql`select eva.fn_begin_stage_run(${work.id}::uuid)`.execute(service);
        await sql`select eva.fn_record_stage_result(${work.id}::uuid, ${JSON.stringify(artifacts)}::jsonb,
          ${gate ? JSON.stringify(gate) : null}::jsonb, '[]'::jsonb, '{"action": "advance"}'::jsonb)`.execute(service);
      }
      const pending = await db
        .selectFrom("chairman_decisions")
        .select("id")
        .where("venture_id", "=", ventureId)
        .where("status", "=", "pending")
        .executeTakeFirst();
      return pending?.id;
    },
  };
}
