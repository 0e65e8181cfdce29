// A venture's recorded gate outcomes and the artifact versions they were
// evaluated from, read for a what-if (src/gates/replay.ts re-evaluates them).
// Reads only: a replay changes nothing and calls no model.
import type { Database } from "../db/client.ts";
import {
  type GateReplay,
  type RecordedGateOutcome,
  type ReplayArtifacts,
  readReplayRecord,
  replayGateOutcome,
} from "../gates/replay.ts";
import type { UpstreamArtifact } from "../stages/types.ts";

export interface StoredGateOutcome extends RecordedGateOutcome {
  workId: string;
}

/** The current (latest run's) recorded gate outcome of each gated stage the venture reached, or of `stage` only. */
export async function recordedGateOutcomes(
  db: Database,
  ventureId: string,
  stage?: number,
): Promise<StoredGateOutcome[]> {
  let query = db
    .selectFrom("venture_stage_work as w")
    .innerJoin("lifecycle_stage_config as s", "s.stage_number", "w.lifecycle_stage")
    .distinctOn("w.lifecycle_stage")
    .select([
      "w.id as workId",
      "w.lifecycle_stage as stage",
      "w.run_number as run",
      "s.gate_type as gateType",
      "w.gate_decision as decision",
      "w.gate_outcome as outcome",
    ])
    .where("w.venture_id", "=", ventureId)
    .where("w.gate_decision", "is not", null)
    .orderBy("w.lifecycle_stage")
    .orderBy("w.run_number", "desc");
  if (stage !== undefined) query = query.where("w.lifecycle_stage", "=", stage);
  const rows = await query.execute();
  return rows.map((r) => ({
    workId: r.workId,
    stage: r.stage,
    run: r.run,
    gateType: r.gateType,
    decision: r.decision as string,
    outcome: (r.outcome ?? {}) as Record<string, unknown>,
  }));
}

/** The artifact versions an outcome's replay record names (null where one is not found), or null without a record. */
export async function replayArtifacts(
  db: Database,
  ventureId: string,
  outcome: StoredGateOutcome,
): Promise<ReplayArtifacts | null> {
  const record = readReplayRecord(outcome.outcome);
  if (!record) return null;
  const own = await db
    .selectFrom("venture_artifacts")
    .select("content")
    .where("stage_work_id", "=", outcome.workId)
    .where("artifact_type", "=", record.artifact.type)
    .executeTakeFirst();
  const upstream = record.upstream.length
    ? await db
        .selectFrom("venture_artifacts")
        .select(["artifact_type as type", "version", "content"])
        .where("venture_id", "=", ventureId)
        .where((eb) =>
          eb.or(record.upstream.map((u) => eb.and([eb("artifact_type", "=", u.type), eb("version", "=", u.version)]))),
        )
        .execute()
    : [];
  return {
    artifact: (own?.content ?? null) as Record<string, unknown> | null,
    upstream: record.upstream.map((ref): UpstreamArtifact | null => {
      const found = upstream.find((a) => a.type === ref.type && a.version === ref.version);
      return found
        ? {
            stage: ref.stage,
            type: ref.type,
            version: ref.version,
            content: found.content as Record<string, unknown>,
            qualityScore: ref.qualityScore,
          }
        : null;
    }),
  };
}

/** Every current gate outcome of the venture (or of `stage`), recorded beside replayed with `whatIf`'s preferences. */
export async function replayVentureGates(
  db: Database,
  ventureId: string,
  options: { stage?: number; whatIf?: Record<string, string> } = {},
): Promise<GateReplay[]> {
  const outcomes = await recordedGateOutcomes(db, ventureId, options.stage);
  const out: GateReplay[] = [];
  for (const o of outcomes) {
    out.push(replayGateOutcome(o, await replayArtifacts(db, ventureId, o), options.whatIf ?? {}));
  }
  return out;
}
