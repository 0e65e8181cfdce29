// The media jobs on a real graphile-worker (one worker, concurrency 1)
// against a local Kling-speaking server: a video's task is polled by jobs
// queued at next_poll_at, so while it runs the same single worker finishes an
// image requested after it — no worker waits on a provider.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger, run } from "graphile-worker";
import { sql } from "kysely";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { ownerPoolFor } from "../src/db/migrate.ts";
import { AssetStore, storeAsset } from "../src/marketing/media/asset-store.ts";
import { OfflineImageGenerator } from "../src/marketing/media/clients.ts";
import { generationById, type MediaDeps, requestMedia } from "../src/marketing/media/generations.ts";
import { KlingClient } from "../src/marketing/media/kling.ts";
import { marketingMediaTasks } from "../src/tasks/marketing-media.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";
import { type MediaServer, startKlingServer } from "./helpers/media-servers.ts";

const t = await createTestDatabase();
const ownerPool = ownerPoolFor(t.url, 3);
let dir: string;
let kling: MediaServer;
let deps: MediaDeps;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "eva-media-worker-"));
  kling = await startKlingServer("ak", "sk-secret");
  deps = {
    store: new AssetStore(dir),
    imageGenerator: () => new OfflineImageGenerator(),
    videoClient: (p) =>
      p === "kling" ? new KlingClient({ accessKey: "ak", secretKey: "sk-secret", baseUrl: kling.url }) : null,
  };
  // Short waits so the test sees several polls: 1 s, then 2 s at most.
  await sql`update eva_private.settings set value = '1'::jsonb where key = 'marketing.media_poll_first_seconds'`.execute(
    t.db,
  );
  await sql`update eva_private.settings set value = '2'::jsonb where key = 'marketing.media_poll_max_seconds'`.execute(
    t.db,
  );
});
afterAll(async () => {
  await kling?.close();
  await ownerPool.end();
  await t.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function until<T>(fn: () => Promise<T | null>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("the media_generation job", () => {
  it("polls a video by re-queued jobs while the one worker does other work", async () => {
    const v = await createVenture(t.db);
    kling.pollsBeforeDone = 3;
    const frame = await sharp({ create: { width: 32, height: 18, channels: 3, background: { r: 9, g: 9, b: 9 } } })
      .png()
      .toBuffer();
    const source = await withRole(t.db, "eva_service", (trx) =>
      storeAsset(trx, deps.store, { ventureId: v.id, bytes: frame, kind: "image", provider: "upload" }),
    );
    const runner = await run({
      pgPool: ownerPool,
      taskList: marketingMediaTasks({ db: t.service, media: deps }),
      concurrency: 1,
      pollInterval: 200,
      noHandleSignals: true,
      logger: new Logger(() => () => {}),
    });
    try {
      const video = await withRole(t.db, "eva_service", (trx) =>
        requestMedia(trx, { ventureId: v.id, kind: "video", prompt: "A clip", sourceAssetId: source.id }),
      );
      await until(async () => ((await generationById(t.db, video.id))?.status === "polling" ? true : null), 40_000);
      const image = await withRole(t.db, "eva_service", (trx) =>
        requestMedia(trx, { ventureId: v.id, kind: "image", prompt: "A banner" }),
      );
      const imageDone = await until(async () => {
        const g = await generationById(t.db, image.id);
        return g?.status === "succeeded" ? g : null;
      }, 40_000);
      const videoDone = await until(async () => {
        const g = await generationById(t.db, video.id);
        return g?.status === "succeeded" || g?.status === "failed" ? g : null;
      }, 60_000);
      expect(videoDone).toMatchObject({ status: "succeeded", provider: "kling", polls: 3, costCents: 35 });
      // The image finished while the video's task was still running.
      expect(Date.parse(imageDone.finishedAt as string)).toBeLessThan(Date.parse(videoDone.finishedAt as string));
      // One look per job run: three "processing" answers, then the finished one.
      expect(kling.requests.filter((r) => r.method === "GET" && r.path.startsWith("/v1/"))).toHaveLength(4);
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from graphile_worker.jobs where key like 'media_generation:%'`.execute(t.db);
      expect(rows[0]?.n).toBe(0);
    } finally {
      await runner.stop();
    }
  }, 180_000);
});
