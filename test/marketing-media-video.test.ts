// Video and images through the media router (spec §17.2, §17.3, §17.13) on a
// real PostgreSQL, as eva_service, against local servers that speak Kling's,
// the Gemini API's (images, Veo) and Runway's APIs: Kling by default, Veo only
// for hero content, Runway only after the route's providers failed with
// provider errors (or their breakers were open); a 4xx fails without
// fallback; each task polled by a job queued at next_poll_at with a doubling
// wait; the I2V budget governor refusing; every charged call in the spend
// ledger; images with up to 14 brand references and the overlay.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { AssetStore, sha256Of, storeAsset } from "../src/marketing/media/asset-store.ts";
import { GeminiImageClient, VeoClient } from "../src/marketing/media/gemini.ts";
import { type Generation, type MediaDeps, requestMedia, runMediaStep } from "../src/marketing/media/generations.ts";
import { KlingClient } from "../src/marketing/media/kling.ts";
import { RunwayClient } from "../src/marketing/media/runway.ts";
import { setBrandTemplate } from "../src/marketing/media/templates.ts";
import { providerCircuit, type VideoProvider } from "../src/marketing/media/types.ts";
import { recordCircuitCall } from "../src/orchestration/circuit-breakers.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";
import { scheduledContent } from "./helpers/marketing-dispatch.ts";
import { type MediaServer, startGeminiServer, startKlingServer, startRunwayServer } from "./helpers/media-servers.ts";

const t = await createTestDatabase();
let dir: string;
let kling: MediaServer;
let gemini: MediaServer;
let runway: MediaServer;
let deps: MediaDeps;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "eva-media-"));
  kling = await startKlingServer("ak-test", "sk-test-secret");
  gemini = await startGeminiServer("gm-key");
  runway = await startRunwayServer("rw-key");
  deps = {
    store: new AssetStore(dir),
    imageGenerator: () => new GeminiImageClient({ apiKey: "gm-key", baseUrl: gemini.url, timeoutMs: 5_000 }),
    videoClient: (p: VideoProvider) => {
      if (p === "kling")
        return new KlingClient({ accessKey: "ak-test", secretKey: "sk-test-secret", baseUrl: kling.url });
      if (p === "veo") return new VeoClient({ apiKey: "gm-key", baseUrl: gemini.url, timeoutMs: 5_000 });
      return new RunwayClient({ apiKey: "rw-key", baseUrl: runway.url, timeoutMs: 5_000 });
    },
  };
});
afterAll(async () => {
  await Promise.all([kling?.close(), gemini?.close(), runway?.close()]);
  await t.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  for (const s of [kling, gemini, runway]) {
    s.next.length = 0;
    s.requests.length = 0;
    s.started.length = 0;
    s.pollsBeforeDone = 1;
  }
  // Every provider's breaker closed again.
  await sql`delete from eva.venture_circuit_breakers where service like 'provider:%'`.execute(t.db);
});

const asService = <T>(fn: Parameters<typeof withRole<T>>[2]) => withRole(t.db, "eva_service", fn);
const asChairman = <T>(fn: Parameters<typeof withRole<T>>[2]) => withRole(t.db, "eva_chairman", fn);
const starts = (s: MediaServer) => s.requests.filter((r) => r.method === "POST").length;

async function ventureWithFrame(tier: "standard" | "hero" = "standard") {
  const v = await createVenture(t.db);
  const frame = await sharp({ create: { width: 64, height: 36, channels: 3, background: { r: 200, g: 10, b: 10 } } })
    .png()
    .toBuffer();
  const asset = await asService((trx) =>
    storeAsset(trx, deps.store, { ventureId: v.id, bytes: frame, kind: "image", provider: "upload" }),
  );
  const { contentId, variantIds } = await scheduledContent(t.db, v.id, [
    { platform: "youtube", text: "A launch clip" },
  ]);
  if (tier === "hero")
    await asChairman((trx) => sql`select marketing.fn_set_content_tier(${contentId}::uuid, 'hero')`.execute(trx));
  return { venture: v, frame: asset, contentId, variantId: variantIds[0] as string };
}

/** Runs the job's steps until the generation is finished, skipping the waits (as the queued jobs would run later). */
async function drive(id: string, max = 20): Promise<Generation> {
  const later = new Date(Date.now() + 365 * 86_400_000);
  for (let i = 0; i < max; i += 1) {
    const r = await runMediaStep(t.service, id, deps, later);
    if (r.outcome !== "waiting") return r.generation as Generation;
  }
  throw new Error(`generation ${id} did not finish in ${max} steps`);
}

async function jobOf(id: string) {
  const { rows } = await sql<{ run_at: Date; task_identifier: string }>`
    select run_at, task_identifier from graphile_worker.jobs where key = ${`media_generation:${id}`}`.execute(t.db);
  return rows[0] ?? null;
}

async function ledgerOf(id: string) {
  const { rows } = await sql<{ platform: string; amount_cents: string; basis: string; attempt: number }>`
    select platform, amount_cents, basis, attempt from marketing.marketing_spend_ledger where media_generation_id = ${id}::uuid`.execute(
    t.db,
  );
  return rows.map((r) => ({ ...r, amount_cents: Number(r.amount_cents) }));
}

describe("video routing", () => {
  it("sends standard content to Kling (JWT checked), polls with a doubling wait, stores the video and charges it", async () => {
    const { venture, frame, variantId } = await ventureWithFrame();
    kling.pollsBeforeDone = 2;
    const g = await asService((trx) =>
      requestMedia(trx, {
        ventureId: venture.id,
        kind: "video",
        prompt: "The product in use",
        variantId,
        sourceAssetId: frame.id,
      }),
    );
    expect(g).toMatchObject({ status: "requested", contentTier: "standard", estimatedCostCents: 35 });
    expect((await jobOf(g.id))?.task_identifier).toBe("media_generation");

    const t0 = Date.now();
    const submitted = await runMediaStep(t.service, g.id, deps);
    expect(submitted.outcome).toBe("waiting");
    expect(submitted.generation).toMatchObject({
      status: "polling",
      provider: "kling",
      model: "kling-v3",
      attempts: 1,
    });
    expect(submitted.generation?.providerJobId).toBe(`image2video:${kling.started[0]}`);
    const post = kling.requests.find((r) => r.method === "POST");
    expect(post?.path).toBe("/v1/videos/image2video");
    expect(post?.body).toMatchObject({ model_name: "kling-v3", duration: "5", aspect_ratio: "16:9" });
    // The first poll is due media_poll_first_seconds (10 s) later, and the job is queued for then.
    const first = Date.parse(submitted.generation?.nextPollAt as string) - t0;
    expect(first).toBeGreaterThanOrEqual(9_000);
    expect(first).toBeLessThan(12_000);
    expect((await jobOf(g.id))?.run_at.toISOString()).toBe(submitted.generation?.nextPollAt);
    // Woken early, the job leaves the task alone.
    expect((await runMediaStep(t.service, g.id, deps)).outcome).toBe("waiting");
    expect(kling.requests.filter((r) => r.method === "GET")).toHaveLength(0);

    const later = new Date(Date.now() + 86_400_000);
    const t1 = Date.now();
    const polled = await runMediaStep(t.service, g.id, deps, later);
    expect(polled.generation).toMatchObject({ status: "polling", polls: 1 });
    const second = Date.parse(polled.generation?.nextPollAt as string) - t1;
    expect(second).toBeGreaterThanOrEqual(19_000);
    expect(second).toBeLessThan(22_000);
    const polled2 = await runMediaStep(t.service, g.id, deps, later);
    expect(Date.parse(polled2.generation?.nextPollAt as string) - Date.now()).toBeGreaterThan(38_000);

    const done = await drive(g.id);
    expect(done).toMatchObject({ status: "succeeded", provider: "kling", costCents: 35, providersTried: [] });
    const { rows } = await sql<{
      sha256: string;
      kind: string;
      variant_id: string;
      derived_from: string;
      provider: string;
    }>`
      select sha256, kind, variant_id, derived_from, provider from marketing.assets where id = ${done.resultAssetId}::uuid`.execute(
      t.db,
    );
    expect(rows[0]).toMatchObject({ kind: "video", variant_id: variantId, derived_from: frame.id, provider: "kling" });
    expect(rows[0]?.sha256).toBe(sha256Of(kling.videoBytes(kling.started[0] as string)));
    expect(await ledgerOf(g.id)).toEqual([{ platform: "kling", amount_cents: 35, basis: "assumption", attempt: 1 }]);
    expect(starts(gemini) + starts(runway)).toBe(0);
  });

  it("sends hero content to Veo (a long-running operation), and only hero content", async () => {
    const { venture, frame, variantId } = await ventureWithFrame("hero");
    const g = await asService((trx) =>
      requestMedia(trx, {
        ventureId: venture.id,
        kind: "video",
        prompt: "Brand launch film",
        variantId,
        sourceAssetId: frame.id,
      }),
    );
    expect(g).toMatchObject({ contentTier: "hero", estimatedCostCents: 200 });
    const done = await drive(g.id);
    expect(done).toMatchObject({
      status: "succeeded",
      provider: "veo",
      model: "veo-3.1-generate-preview",
      costCents: 200,
    });
    const submit = gemini.requests.find((r) => r.path.endsWith(":predictLongRunning"));
    expect(submit?.path).toBe("/v1beta/models/veo-3.1-generate-preview:predictLongRunning");
    expect(submit?.body).toMatchObject({
      instances: [{ prompt: "Brand launch film", image: { mimeType: "image/png" } }],
    });
    expect(gemini.requests.some((r) => r.method === "GET" && r.path.includes("/operations/"))).toBe(true);
    expect(starts(kling) + starts(runway)).toBe(0);
    expect(await ledgerOf(g.id)).toEqual([{ platform: "veo", amount_cents: 200, basis: "assumption", attempt: 1 }]);
  });

  it("goes to Runway only when Veo and Kling both failed with provider errors, and counts them on the breakers", async () => {
    const { venture, frame, variantId } = await ventureWithFrame("hero");
    gemini.next.push(503);
    kling.next.push(500);
    const g = await asService((trx) =>
      requestMedia(trx, {
        ventureId: venture.id,
        kind: "video",
        prompt: "Hero clip",
        variantId,
        sourceAssetId: frame.id,
      }),
    );
    const done = await drive(g.id);
    expect(done).toMatchObject({ status: "succeeded", provider: "runway", model: "gen4_turbo", costCents: 25 });
    expect(done.providersTried.map((p) => p.provider)).toEqual(["veo", "kling"]);
    const post = runway.requests.find((r) => r.method === "POST");
    expect(post?.path).toBe("/v1/image_to_video");
    expect(post?.body).toMatchObject({ model: "gen4_turbo", ratio: "1280:720", duration: 5 });
    expect(String((post?.body as { promptImage?: string } | undefined)?.promptImage)).toMatch(
      /^data:image\/png;base64,/,
    );
    const { rows } = await sql<{ service: string; consecutive_failures: number }>`
      select service, consecutive_failures from eva.venture_circuit_breakers where venture_id is null order by service`.execute(
      t.db,
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { service: providerCircuit(gemini.url), consecutive_failures: 1 },
        { service: providerCircuit(kling.url), consecutive_failures: 1 },
      ]),
    );
    expect(await ledgerOf(g.id)).toEqual([{ platform: "runway", amount_cents: 25, basis: "assumption", attempt: 3 }]);
  });

  it("never moves standard content to Veo: a failed Kling task falls back to Runway", async () => {
    const { venture, frame, variantId } = await ventureWithFrame();
    kling.next.push("fail-task");
    const g = await asService((trx) =>
      requestMedia(trx, {
        ventureId: venture.id,
        kind: "video",
        prompt: "Standard clip",
        variantId,
        sourceAssetId: frame.id,
      }),
    );
    const done = await drive(g.id);
    expect(done).toMatchObject({ status: "succeeded", provider: "runway" });
    expect(done.providersTried).toEqual([
      expect.objectContaining({ provider: "kling", error: expect.stringContaining("task failed") }),
    ]);
    expect(starts(gemini)).toBe(0);
  });

  it("skips a provider whose breaker is open without calling it", async () => {
    const { venture, frame, variantId } = await ventureWithFrame();
    const circuit = providerCircuit(kling.url);
    for (let i = 0; i < 5; i += 1) await asService((trx) => recordCircuitCall(trx, null, [circuit], false, "down"));
    const g = await asService((trx) =>
      requestMedia(trx, { ventureId: venture.id, kind: "video", prompt: "Clip", variantId, sourceAssetId: frame.id }),
    );
    const done = await drive(g.id);
    expect(done).toMatchObject({ status: "succeeded", provider: "runway" });
    expect(done.providersTried[0]?.error).toContain("circuit breaker");
    expect(starts(kling)).toBe(0);
  });

  it("fails on a refused request (4xx) without trying another provider", async () => {
    const { venture, frame, variantId } = await ventureWithFrame();
    kling.next.push(400);
    const g = await asService((trx) =>
      requestMedia(trx, { ventureId: venture.id, kind: "video", prompt: "Clip", variantId, sourceAssetId: frame.id }),
    );
    const done = await drive(g.id);
    expect(done.status).toBe("failed");
    expect(done.lastError).toContain("HTTP 400");
    expect(starts(runway) + starts(gemini)).toBe(0);
    expect(await ledgerOf(g.id)).toEqual([]);
  });

  it("charges Runway for the length it makes (5 or 10 s), not the length asked", async () => {
    const { venture, frame, variantId } = await ventureWithFrame();
    kling.next.push(503);
    const g = await asService((trx) =>
      requestMedia(trx, {
        ventureId: venture.id,
        kind: "video",
        prompt: "Clip",
        variantId,
        sourceAssetId: frame.id,
        durationSeconds: 7,
      }),
    );
    expect(g.estimatedCostCents).toBe(49);
    const done = await drive(g.id);
    expect(done).toMatchObject({ status: "succeeded", provider: "runway", costCents: 50 });
    expect(runway.requests.find((r) => r.method === "POST")?.body).toMatchObject({ duration: 10 });
  });

  it("signs Kling's JWT with the secret key: a wrong secret is refused (401) and nothing falls back", async () => {
    const { venture, frame, variantId } = await ventureWithFrame();
    const wrong: MediaDeps = {
      ...deps,
      videoClient: (p) =>
        p === "kling"
          ? new KlingClient({ accessKey: "ak-test", secretKey: "not-the-secret", baseUrl: kling.url })
          : deps.videoClient(p),
    };
    const g = await asService((trx) =>
      requestMedia(trx, { ventureId: venture.id, kind: "video", prompt: "Clip", variantId, sourceAssetId: frame.id }),
    );
    const r = await runMediaStep(t.service, g.id, wrong);
    expect(r.generation).toMatchObject({ status: "failed" });
    expect(r.generation?.lastError).toContain("HTTP 401");
    expect(kling.started).toHaveLength(0);
    expect(starts(runway)).toBe(0);
  });

  it("fails when every provider of the route failed, naming each failure", async () => {
    const { venture, frame, variantId } = await ventureWithFrame();
    kling.next.push(500);
    runway.next.push(502);
    const g = await asService((trx) =>
      requestMedia(trx, { ventureId: venture.id, kind: "video", prompt: "Clip", variantId, sourceAssetId: frame.id }),
    );
    const done = await drive(g.id);
    expect(done.status).toBe("failed");
    expect(done.lastError).toMatch(/kling → runway.*kling: .*500.*runway: .*502/);
  });
});

/** Ten minutes older (past the updated_at trigger, as the superuser). */
async function backdate(ids: string[]) {
  await t.db.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx);
    await sql`update marketing.media_generations set updated_at = now() - interval '10 minutes'
      where id = any(${ids}::uuid[])`.execute(trx);
  });
}

describe("media:generations:sweep", () => {
  it("queues again an open generation whose job is gone, and leaves alone one whose job is there", async () => {
    const { venture, frame } = await ventureWithFrame();
    const lost = await asService((trx) =>
      requestMedia(trx, { ventureId: venture.id, kind: "video", prompt: "Lost", sourceAssetId: frame.id }),
    );
    const kept = await asService((trx) =>
      requestMedia(trx, { ventureId: venture.id, kind: "video", prompt: "Kept", sourceAssetId: frame.id }),
    );
    await sql`delete from graphile_worker._private_jobs where key = ${`media_generation:${lost.id}`}`.execute(t.db);
    await backdate([lost.id, kept.id]);
    const before = await jobOf(kept.id);
    expect(await jobOf(lost.id)).toBeNull();
    const { rows } = await asService((trx) =>
      sql<{ n: number }>`select eva_private.fn_media_sweep() as n`.execute(trx),
    );
    expect(rows[0]?.n).toBeGreaterThanOrEqual(1);
    expect((await jobOf(lost.id))?.task_identifier).toBe("media_generation");
    expect((await jobOf(kept.id))?.run_at.toISOString()).toBe(before?.run_at.toISOString());
    // Finished generations are never queued again.
    await drive(lost.id);
    await drive(kept.id);
    await sql`delete from graphile_worker._private_jobs where key like 'media_generation:%'`.execute(t.db);
    await backdate([lost.id, kept.id]);
    const again = await asService((trx) => sql<{ n: number }>`select eva_private.fn_media_sweep() as n`.execute(trx));
    expect(again.rows[0]?.n).toBe(0);
  });
});

describe("the I2V budget governor", () => {
  it("refuses a video the month's budget cannot hold, counting spend and generations in flight", async () => {
    const { venture, frame, contentId } = await ventureWithFrame();
    await asChairman((trx) =>
      sql`select marketing.fn_set_media_budget(${venture.id}::uuid, 'video', 100)`.execute(trx),
    );
    const ask = () =>
      asService((trx) =>
        requestMedia(trx, {
          ventureId: venture.id,
          kind: "video",
          prompt: "Clip",
          sourceAssetId: frame.id,
          durationSeconds: 5,
        }),
      );
    const a = await ask();
    const done = await drive(a.id);
    expect(done.providersTried).toEqual([]);
    expect(done.costCents).toBe(35);
    const b = await ask();
    expect(b.status).toBe("requested");
    const c = await ask();
    expect(c.status).toBe("refused");
    expect(c.lastError).toContain("over budget");
    expect(c.lastError).toMatch(/100 cents, 35 spent, 35(\.0)? reserved, 30(\.0)? remaining/);
    expect(await jobOf(c.id)).toBeNull();
    // Hero video is priced at Veo's rate: 5 s × 40 cents is refused outright.
    await asChairman((trx) => sql`select marketing.fn_set_content_tier(${contentId}::uuid, 'hero')`.execute(trx));
    const hero = await asService((trx) =>
      requestMedia(trx, {
        ventureId: venture.id,
        kind: "video",
        prompt: "Hero",
        contentTier: "hero",
        sourceAssetId: frame.id,
      }),
    );
    expect(hero).toMatchObject({ status: "refused", contentTier: "hero" });
    const { rows } = await sql<{ b: Record<string, number> }>`
      select marketing.fn_media_budget_status(${venture.id}::uuid, 'video') as b`.execute(t.db);
    expect(rows[0]?.b).toMatchObject({ budget_cents: 100, spent_cents: 35, reserved_cents: 35, source: "chairman" });
  });

  it("lets only the Chairman set a budget", async () => {
    const v = await createVenture(t.db);
    await expect(
      asService((trx) => sql`select marketing.fn_set_media_budget(${v.id}::uuid, 'video', 100)`.execute(trx)),
    ).rejects.toMatchObject({ code: "42501" });
  });
});

describe("images through Gemini", () => {
  it("sends at most 14 brand references, overlays the template and charges the image", async () => {
    const v = await createVenture(t.db);
    for (let i = 0; i < 16; i += 1) {
      const ref = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: i * 10, g: 0, b: 0 } } })
        .png()
        .toBuffer();
      await asService((trx) =>
        storeAsset(trx, deps.store, { ventureId: v.id, bytes: ref, kind: "reference", provider: "upload" }),
      );
    }
    const logo = await asService(async (trx) =>
      storeAsset(trx, deps.store, {
        ventureId: v.id,
        bytes: await sharp({
          create: { width: 40, height: 40, channels: 4, background: { r: 255, g: 255, b: 0, alpha: 1 } },
        })
          .png()
          .toBuffer(),
        kind: "logo",
        provider: "upload",
      }),
    );
    const template = await asChairman((trx) =>
      setBrandTemplate(trx, v.id, {
        canvas: { width: 640, height: 360 },
        logo: { asset_id: logo.id, x: 10, y: 20, w: 40, h: 40 },
      }),
    );
    const g = await asService((trx) => requestMedia(trx, { ventureId: v.id, kind: "image", prompt: "A calm desk" }));
    expect(g).toMatchObject({ templateId: template.id, estimatedCostCents: 6.7 });
    const done = await drive(g.id);
    expect(done).toMatchObject({ status: "succeeded", provider: "gemini", model: "gemini-3-pro-image-preview" });
    const call = gemini.requests.find((r) => r.path.endsWith(":generateContent"));
    expect(call?.path).toBe("/v1beta/models/gemini-3-pro-image-preview:generateContent");
    const parts =
      (call?.body as { contents: { parts: { text?: string; inlineData?: unknown }[] }[] } | undefined)?.contents[0]
        ?.parts ?? [];
    expect(parts.filter((p) => p.inlineData)).toHaveLength(14);
    expect(parts[0]?.text).toBe("A calm desk");
    const { rows } = await sql<{
      provider: string;
      template_id: string;
      derived_from: string;
      width: number;
      simulation: boolean;
    }>`
      select provider, template_id, derived_from, width, simulation from marketing.assets where id = ${done.resultAssetId}::uuid`.execute(
      t.db,
    );
    expect(rows[0]).toMatchObject({ provider: "overlay", template_id: template.id, width: 640, simulation: false });
    const base = await sql<{
      provider: string;
    }>`select provider from marketing.assets where id = ${rows[0]?.derived_from}::uuid`.execute(t.db);
    expect(base.rows[0]?.provider).toBe("gemini");
    const out = await deps.store.get(
      (
        await sql<{
          sha256: string;
        }>`select sha256 from marketing.assets where id = ${done.resultAssetId}::uuid`.execute(t.db)
      ).rows[0]?.sha256 as string,
    );
    const { data, info } = await sharp(out).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    expect(at(10, 20)).toEqual([255, 255, 0]);
    expect(at(49, 59)).toEqual([255, 255, 0]);
    expect(at(50, 40)).toEqual([40, 90, 160]);
    expect(await ledgerOf(g.id)).toEqual([{ platform: "gemini", amount_cents: 6.7, basis: "assumption", attempt: 1 }]);
  });

  it("fails an image on a provider error and counts it on the breaker", async () => {
    const v = await createVenture(t.db);
    gemini.next.push(500);
    const g = await asService((trx) => requestMedia(trx, { ventureId: v.id, kind: "image", prompt: "A desk" }));
    const done = await drive(g.id);
    expect(done.status).toBe("failed");
    expect(done.lastError).toContain("HTTP 500");
    expect(await ledgerOf(g.id)).toEqual([]);
  });
});
