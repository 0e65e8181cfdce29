// stage_run: the job a ready stage work row gets (queued by trigger). Glue:
// check the payload, run the stage through the engine.
import type { Task } from "graphile-worker";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import type { Analyst } from "../llm/types.ts";
import { runStageWork, type StageRunOutcome } from "../orchestration/stage-engine.ts";

const payload = z.object({ work_id: z.string().uuid() });

export function stageRunTask(deps: {
  db: Database;
  analyst: Analyst;
  /** The Devil's Advocate's own analyst; default: the analyst. */
  adversary?: Analyst | undefined;
  onOutcome?: (outcome: StageRunOutcome) => void;
}): Task {
  return async (raw, helpers) => {
    const parsed = payload.safeParse(raw);
    if (!parsed.success) {
      // An old or foreign payload: nothing to retry.
      helpers.logger.error(`stage_run: unusable payload ${JSON.stringify(raw)}`);
      return;
    }
    const outcome = await runStageWork(deps.db, deps.analyst, parsed.data.work_id, {
      finalAttempt: helpers.job.attempts >= helpers.job.max_attempts,
      log: (line) => helpers.logger.info(line),
      ...(deps.adversary ? { adversary: deps.adversary } : {}),
    });
    deps.onOutcome?.(outcome);
  };
}
