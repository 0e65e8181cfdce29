// `eva run`: a venture driven forward in this process, stage after stage,
// through the same engine the worker uses, until it needs the Chairman, a
// gate stops it, a stage cannot run, or it reaches the requested stage.
import { setTimeout as sleep } from "node:timers/promises";
import { type Database, withRole } from "../db/client.ts";
import type { Analyst } from "../llm/types.ts";
import { runStageWork, type StageRunOutcome } from "../orchestration/stage-engine.ts";

export interface VentureRunState {
  ventureId: string;
  name: string;
  status: string;
  stage: number;
  stageName: string;
  /** Why the run stopped, in words. */
  stoppedBecause: string;
  pendingDecision?: { id: string; type: string; stage: number };
  outcomes: StageRunOutcome[];
}

interface OpenWork {
  id: string;
  lifecycle_stage: number;
  status: string;
  blocked_reason: string | null;
  due_at: Date | null;
}

async function snapshot(db: Database, ventureId: string) {
  return withRole(db, "eva_service", async (trx) => {
    const venture = await trx
      .selectFrom("ventures as v")
      .innerJoin("lifecycle_stage_config as s", "s.stage_number", "v.current_lifecycle_stage")
      .select(["v.id", "v.name", "v.status", "v.current_lifecycle_stage as stage", "s.stage_name as stageName"])
      .where("v.id", "=", ventureId)
      .executeTakeFirstOrThrow();
    const work = (await trx
      .selectFrom("venture_stage_work")
      .select(["id", "lifecycle_stage", "status", "blocked_reason", "due_at"])
      .where("venture_id", "=", ventureId)
      .orderBy("created_at", "desc")
      .orderBy("run_number", "desc")
      .limit(1)
      .executeTakeFirst()) as OpenWork | undefined;
    const decision = await trx
      .selectFrom("chairman_decisions")
      .select(["id", "decision_type as type", "lifecycle_stage as stage"])
      .where("venture_id", "=", ventureId)
      .where("status", "=", "pending")
      .orderBy("created_at")
      .executeTakeFirst();
    return { venture, work, decision };
  });
}

export async function runVenture(
  db: Database,
  analyst: Analyst,
  ventureId: string,
  options: {
    until?: number;
    onStage?: (stage: number, outcome: StageRunOutcome) => void;
    waitForWorkerMs?: number;
    /** The Devil's Advocate's own analyst; default: the analyst. */
    adversary?: Analyst;
  } = {},
): Promise<VentureRunState> {
  const until = options.until ?? 25;
  const outcomes: StageRunOutcome[] = [];
  const done = (s: Awaited<ReturnType<typeof snapshot>>, stoppedBecause: string): VentureRunState => ({
    ventureId,
    name: s.venture.name,
    status: s.venture.status,
    stage: s.venture.stage,
    stageName: s.venture.stageName,
    stoppedBecause,
    ...(s.decision ? { pendingDecision: s.decision } : {}),
    outcomes,
  });

  for (;;) {
    const s = await snapshot(db, ventureId);
    if (s.decision) {
      return done(
        s,
        `waiting for the Chairman: ${s.decision.type} at stage ${s.decision.stage} (decision ${s.decision.id})`,
      );
    }
    if (s.venture.status !== "active") return done(s, `the venture is ${s.venture.status}`);
    const work = s.work;
    if (!work) return done(s, "the venture has no stage work");
    if (work.lifecycle_stage > until) return done(s, `reached stage ${work.lifecycle_stage} (--until ${until})`);
    if (work.status === "blocked") return done(s, `stage ${work.lifecycle_stage} is blocked: ${work.blocked_reason}`);
    if (work.status === "scheduled")
      return done(
        s,
        `stage ${work.lifecycle_stage} is scheduled on the venture's cadence, due ${new Date(work.due_at ?? 0).toISOString()} (eva schedule run-now makes it due now)`,
      );
    if (work.status === "failed") return done(s, `stage ${work.lifecycle_stage} failed (see eva ventures show)`);
    if (work.status === "in_progress") {
      // A worker is running it; wait for it rather than run it twice.
      const deadline = Date.now() + (options.waitForWorkerMs ?? 120_000);
      let changed = false;
      while (Date.now() < deadline) {
        await sleep(250);
        const again = await snapshot(db, ventureId);
        if (again.work?.id !== work.id || again.work.status !== "in_progress") {
          changed = true;
          break;
        }
      }
      if (!changed) return done(s, `stage ${work.lifecycle_stage} is in progress in another worker`);
      continue;
    }
    if (work.status !== "ready") return done(s, `stage ${work.lifecycle_stage} is ${work.status}`);
    const outcome = await runStageWork(db, analyst, work.id, options.adversary ? { adversary: options.adversary } : {});
    outcomes.push(outcome);
    options.onStage?.(work.lifecycle_stage, outcome);
    // An open circuit breaker: the run waits for the circuit to half-open (a worker takes it then).
    if (outcome.outcome === "deferred") return done(await snapshot(db, ventureId), outcome.reason);
  }
}
