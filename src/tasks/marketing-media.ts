// The media job (spec §17.2, §17.3): media_generation, one per generation
// (job_key media_generation:<id>), queued by marketing.fn_request_media and
// again by eva_private.fn_media_advance whenever the generation has a next
// step — at next_poll_at while a provider's task runs, so no worker waits —
// and the media:generations:sweep tick (every 5 minutes), which queues again
// an open generation whose job is gone.
import type { Task } from "graphile-worker";
import { sql } from "kysely";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import { AssetStore } from "../marketing/media/asset-store.ts";
import { imageGeneratorFromEnv, videoClientFromEnv } from "../marketing/media/clients.ts";
import { type MediaDeps, runMediaStep } from "../marketing/media/generations.ts";

/** The media tick on the crontab (src/tasks/index.ts). */
export type MarketingMediaTickName = "media:generations:sweep";

const payload = z.object({ generation_id: z.string().uuid() });

export function defaultMediaDeps(env: NodeJS.ProcessEnv = process.env): MediaDeps {
  return {
    store: new AssetStore(),
    imageGenerator: () => imageGeneratorFromEnv(env),
    videoClient: (p) => videoClientFromEnv(p, env),
  };
}

export function marketingMediaTasks(deps: { db: Database; media?: MediaDeps }): Record<string, Task> {
  const media = deps.media ?? defaultMediaDeps();
  return {
    media_generation: async (raw, helpers) => {
      const parsed = payload.safeParse(raw);
      if (!parsed.success) {
        helpers.logger.error(`media_generation: unusable payload ${JSON.stringify(raw)}`);
        return;
      }
      const r = await runMediaStep(deps.db, parsed.data.generation_id, media);
      const g = r.generation;
      helpers.logger.info(
        `media ${parsed.data.generation_id}: ${r.outcome}${g ? ` (${g.status}${g.provider ? ` on ${g.provider}` : ""}${g.lastError ? `: ${g.lastError}` : ""})` : ""}`,
      );
    },
    "media:generations:sweep": async (_raw, helpers) => {
      const { rows } = await sql<{ n: number }>`select eva_private.fn_media_sweep() as n`.execute(deps.db);
      helpers.logger.info(`media:generations:sweep: ${rows[0]?.n ?? 0} generations queued again`);
    },
  };
}
