// Stage 0's job: nursery_reeval, queued by the daily nursery check
// (eva_private.fn_scheduler_nursery_reeval) for each parked idea whose review
// date has come: a fresh synthesis through the nursery_reeval strategy and a
// new review for the Chairman (src/ideation/nursery.ts).
import type { Task } from "graphile-worker";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import { reevaluateNurseryItem } from "../ideation/nursery.ts";
import type { Analyst } from "../llm/types.ts";

const payload = z.object({ nurseryId: z.uuid(), reviewAt: z.string().refine((s) => !Number.isNaN(Date.parse(s))) });

export function stageZeroTasks(deps: { db: Database; analyst: Analyst }): Record<string, Task> {
  return {
    nursery_reeval: async (raw, helpers) => {
      const parsed = payload.safeParse(raw);
      if (!parsed.success) {
        helpers.logger.error(`nursery_reeval: unusable payload ${JSON.stringify(raw)}`);
        return;
      }
      const outcome = await reevaluateNurseryItem(deps.db, deps.analyst, parsed.data);
      helpers.logger.info(`nursery_reeval ${parsed.data.nurseryId}: ${JSON.stringify(outcome)}`);
    },
  };
}
