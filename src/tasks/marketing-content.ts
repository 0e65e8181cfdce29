// marketing_content_generate and marketing_content_review: the content
// lifecycle's jobs (queued by SQL with the state change that calls for them).
// Glue: check the payload, run the step (src/marketing/content-pipeline.ts).
import type { Task, TaskList } from "graphile-worker";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import type { Analyst } from "../llm/types.ts";
import { type ContentStepOutcome, runContentGeneration, runContentReview } from "../marketing/content-pipeline.ts";

const payload = z.object({ content_id: z.string().uuid() });

function contentTask(
  name: string,
  step: typeof runContentGeneration,
  deps: { db: Database; analyst: Analyst; onContentStep?: ((outcome: ContentStepOutcome) => void) | undefined },
): Task {
  return async (raw, helpers) => {
    const parsed = payload.safeParse(raw);
    if (!parsed.success) {
      // An old or foreign payload: nothing to retry.
      helpers.logger.error(`${name}: unusable payload ${JSON.stringify(raw)}`);
      return;
    }
    const outcome = await step(deps.db, deps.analyst, parsed.data.content_id, {
      finalAttempt: helpers.job.attempts >= helpers.job.max_attempts,
      log: (line) => helpers.logger.info(line),
    });
    deps.onContentStep?.(outcome);
  };
}

export function marketingContentTasks(deps: {
  db: Database;
  analyst: Analyst;
  onContentStep?: ((outcome: ContentStepOutcome) => void) | undefined;
}): TaskList {
  return {
    marketing_content_generate: contentTask("marketing_content_generate", runContentGeneration, deps),
    marketing_content_review: contentTask("marketing_content_review", runContentReview, deps),
  };
}
