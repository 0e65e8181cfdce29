// saga_step: one step of a worker-driven saga (job_key saga_step:<saga>:<step>:<attempt>,
// queued by SQL). Glue: parse, run the step (and the saga's next ones) through the saga engine, log.
import type { Task } from "graphile-worker";
import { z } from "zod";
import "../orchestration/sagas/definitions.ts";
import { executeSagaStep, type SagaDeps } from "../orchestration/sagas/engine.ts";

const payload = z.object({
  saga_id: z.string().uuid(),
  step: z.string().min(1),
  attempt: z.number().int().optional(),
  saga_type: z.string().optional(),
});

export function sagaStepTask(deps: SagaDeps): Task {
  return async (raw, helpers) => {
    const parsed = payload.safeParse(raw);
    if (!parsed.success) {
      helpers.logger.error(`saga_step: unusable payload ${JSON.stringify(raw)}`);
      return;
    }
    const result = await executeSagaStep(deps, parsed.data.saga_id, parsed.data.step, parsed.data.saga_type);
    helpers.logger.info(`saga ${parsed.data.saga_id} step ${parsed.data.step}: ${JSON.stringify(result)}`);
  };
}
