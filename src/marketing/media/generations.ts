// A media generation's steps (spec §17.2, §17.3), run by the media_generation
// job: each run does what the generation's state calls for — submit to the
// route's next provider, look at a running task once, or store the result —
// and writes every move through eva_private.fn_media_advance, which queues
// the next run when it is due. A worker never waits for a provider.
import { sql } from "kysely";
import type { Database } from "../../db/client.ts";
import { askCircuits, recordCircuitCall } from "../../orchestration/circuit-breakers.ts";
import { type AssetRow, type AssetStore, storeAsset } from "./asset-store.ts";
import { type ContentTier, PROVIDER_KEYS, videoRoute } from "./clients.ts";
import { MAX_REFERENCE_IMAGES } from "./gemini.ts";
import { applyBrandOverlay } from "./overlay.ts";
import { brandTemplate } from "./templates.ts";
import {
  type ImageGenerator,
  type ImageInput,
  MediaError,
  type VideoClient,
  type VideoProvider,
  type VideoRequest,
} from "./types.ts";

export interface MediaDeps {
  store: AssetStore;
  imageGenerator: () => ImageGenerator;
  /** The provider's client, or null when it is not configured. */
  videoClient: (provider: VideoProvider) => VideoClient | null;
}

export type GenerationStatus = "requested" | "submitted" | "polling" | "succeeded" | "failed" | "refused";

export interface Generation {
  id: string;
  ventureId: string;
  variantId: string | null;
  kind: "image" | "video";
  contentTier: ContentTier;
  status: GenerationStatus;
  prompt: string;
  sourceAssetId: string | null;
  durationSeconds: number | null;
  aspectRatio: string;
  templateId: string | null;
  provider: string | null;
  model: string | null;
  providerJobId: string | null;
  providersTried: { provider: string; error: string; at: string }[];
  attempts: number;
  polls: number;
  nextPollAt: string | null;
  estimatedCostCents: number;
  costCents: number | null;
  resultAssetId: string | null;
  lastError: string | null;
  createdAt: string;
  finishedAt: string | null;
}

type Row = Record<string, unknown>;
const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);

export function generationFromRow(r: Row): Generation {
  return {
    id: r.id as string,
    ventureId: r.venture_id as string,
    variantId: (r.variant_id as string | null) ?? null,
    kind: r.kind as Generation["kind"],
    contentTier: r.content_tier as ContentTier,
    status: r.status as GenerationStatus,
    prompt: r.prompt as string,
    sourceAssetId: (r.source_asset_id as string | null) ?? null,
    durationSeconds: (r.duration_seconds as number | null) ?? null,
    aspectRatio: r.aspect_ratio as string,
    templateId: (r.template_id as string | null) ?? null,
    provider: (r.provider as string | null) ?? null,
    model: (r.model as string | null) ?? null,
    providerJobId: (r.provider_job_id as string | null) ?? null,
    providersTried: (r.providers_tried as Generation["providersTried"]) ?? [],
    attempts: Number(r.attempts),
    polls: Number(r.polls),
    nextPollAt: iso(r.next_poll_at),
    estimatedCostCents: Number(r.estimated_cost_cents),
    costCents: r.cost_cents === null || r.cost_cents === undefined ? null : Number(r.cost_cents),
    resultAssetId: (r.result_asset_id as string | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
    createdAt: iso(r.created_at) as string,
    finishedAt: iso(r.finished_at),
  };
}

export interface MediaRequest {
  ventureId: string;
  kind: "image" | "video";
  prompt: string;
  variantId?: string | null;
  sourceAssetId?: string | null;
  durationSeconds?: number | null;
  aspectRatio?: string | null;
  templateId?: string | null;
  contentTier?: ContentTier | null;
  actor?: string;
}

/** Requests a generation through the budget governor (status refused when over budget; otherwise its job is queued). */
export async function requestMedia(db: Database, r: MediaRequest): Promise<Generation> {
  const { rows } = await sql<Row>`
    select * from marketing.fn_request_media(${r.ventureId}::uuid, ${r.kind}, ${r.prompt}, ${r.variantId ?? null}::uuid,
      ${r.sourceAssetId ?? null}::uuid, ${r.durationSeconds ?? null}::int, ${r.aspectRatio ?? null}, ${r.templateId ?? null}::uuid,
      ${r.contentTier ?? null}, ${r.actor ?? "chairman"})`.execute(db);
  return generationFromRow(rows[0] as Row);
}

export async function generationById(db: Database, id: string): Promise<Generation | null> {
  const { rows } = await sql<Row>`select * from marketing.media_generations where id = ${id}::uuid`.execute(db);
  return rows[0] ? generationFromRow(rows[0]) : null;
}

async function advance(db: Database, id: string, action: string, detail: Record<string, unknown> = {}) {
  const { rows } = await sql<Row>`
    select * from eva_private.fn_media_advance(${id}::uuid, ${action}, ${JSON.stringify(detail)}::jsonb)`.execute(db);
  return generationFromRow(rows[0] as Row);
}

/** What a unit of a provider's output costs (the model's price, or the provider's highest), in cents. */
async function priceOf(db: Database, provider: string, model: string, unit: "image" | "second") {
  const { rows } = await sql<{ cents: string; basis: "assumption" | "fact" }>`
    select cents_per_unit as cents, basis from marketing.media_prices where provider = ${provider} and unit = ${unit}
    order by (model = ${model}) desc, cents_per_unit desc limit 1`.execute(db);
  return rows[0] ? { cents: Number(rows[0].cents), basis: rows[0].basis } : { cents: 0, basis: "assumption" as const };
}

async function assetBytes(db: Database, store: AssetStore, id: string): Promise<{ asset: AssetRow; bytes: Buffer }> {
  const { rows } = await sql<{
    sha256: string;
    mime: string;
  }>`select sha256, mime from marketing.assets where id = ${id}::uuid`.execute(db);
  const row = rows[0];
  if (!row) throw new Error(`no asset ${id}`);
  return { asset: { id, sha256: row.sha256, mime: row.mime } as AssetRow, bytes: await store.get(row.sha256) };
}

/** The venture's brand references for the image model: its logos and reference images, newest first, at most 14. */
async function brandReferences(db: Database, store: AssetStore, ventureId: string): Promise<ImageInput[]> {
  const { rows } = await sql<{ sha256: string; mime: string }>`
    select sha256, mime from marketing.assets where venture_id = ${ventureId}::uuid and kind in ('logo', 'reference')
    order by created_at desc, id limit ${MAX_REFERENCE_IMAGES}`.execute(db);
  const out: ImageInput[] = [];
  for (const r of rows) {
    try {
      out.push({ mime: r.mime, bytes: await store.get(r.sha256) });
    } catch {
      // a reference missing from this machine's store is left out
    }
  }
  return out;
}

export type StepOutcome =
  | { outcome: "gone" | "finished"; generation: Generation | null }
  | { outcome: "waiting"; generation: Generation };

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 1000);

async function runImage(db: Database, g: Generation, deps: MediaDeps): Promise<Generation> {
  const generator = deps.imageGenerator();
  if (generator.circuit) {
    const permit = await askCircuits(db, null, [generator.circuit]);
    if (!permit.allowed) {
      return advance(db, g.id, "failed", {
        provider: generator.provider,
        error: `${generator.provider}'s circuit breaker is open until ${permit.retryAt}`,
      });
    }
  }
  let current = await advance(db, g.id, "submit", { provider: generator.provider, model: generator.model });
  let image: Awaited<ReturnType<ImageGenerator["generate"]>>;
  try {
    image = await generator.generate({
      prompt: g.prompt,
      references: await brandReferences(db, deps.store, g.ventureId),
      aspectRatio: g.aspectRatio,
    });
    if (generator.circuit) await recordCircuitCall(db, null, [generator.circuit], true);
  } catch (error) {
    if (generator.circuit && error instanceof MediaError && error.providerError)
      await recordCircuitCall(db, null, [generator.circuit], false, message(error));
    return advance(db, g.id, "failed", { provider: generator.provider, error: message(error) });
  }
  const base = await storeAsset(db, deps.store, {
    ventureId: g.ventureId,
    bytes: image.bytes,
    mime: image.mime,
    kind: "image",
    provider: generator.provider,
    model: image.model,
    simulation: image.simulation,
    generationId: g.id,
    provenance: { prompt: g.prompt, aspect_ratio: g.aspectRatio, stage: "base" },
  });
  let result = base;
  const template = g.templateId ? await brandTemplate(db, g.ventureId, g.templateId) : null;
  if (template) {
    const logo = template.logo ? (await assetBytes(db, deps.store, template.logo.assetId)).bytes : null;
    const composed = await applyBrandOverlay(await deps.store.get(base.sha256), template, logo);
    result = await storeAsset(db, deps.store, {
      ventureId: g.ventureId,
      bytes: composed,
      mime: "image/png",
      kind: "image",
      provider: "overlay",
      model: `brand-template v${template.version}`,
      simulation: image.simulation,
      variantId: g.variantId,
      derivedFrom: base.id,
      templateId: template.id,
      generationId: g.id,
      provenance: { base_provider: generator.provider, base_model: image.model, template_version: template.version },
    });
  } else if (g.variantId) {
    // The same bytes: the base asset, now linked to the variant.
    result = await storeAsset(db, deps.store, {
      ventureId: g.ventureId,
      bytes: image.bytes,
      mime: image.mime,
      kind: "image",
      provider: generator.provider,
      variantId: g.variantId,
    });
  }
  const price =
    generator.provider === "offline"
      ? { cents: 0, basis: "fact" as const }
      : await priceOf(db, "gemini", image.model, "image");
  current = await advance(db, g.id, "succeeded", { asset_id: result.id, cost_cents: price.cents, basis: price.basis });
  return current;
}

async function videoRequest(db: Database, g: Generation, store: AssetStore): Promise<VideoRequest> {
  return {
    prompt: g.prompt,
    image: g.sourceAssetId
      ? await assetBytes(db, store, g.sourceAssetId).then(({ asset, bytes }) => ({ mime: asset.mime, bytes }))
      : null,
    durationSeconds: g.durationSeconds ?? 5,
    aspectRatio: g.aspectRatio,
  };
}

/** Submits to the route's next provider (the current one first after a crash between submit and its answer). */
async function submitVideo(db: Database, g: Generation, deps: MediaDeps): Promise<Generation> {
  let current = g;
  const request = await videoRequest(db, g, deps.store);
  for (;;) {
    const tried = new Set(current.providersTried.map((t) => t.provider));
    const route = videoRoute(current.contentTier);
    const resubmit = current.status === "submitted" && current.provider ? (current.provider as VideoProvider) : null;
    const next = resubmit ?? route.find((p) => !tried.has(p));
    if (!next) {
      return advance(db, current.id, "failed", {
        error: `every provider of the ${current.contentTier} route failed (${route.join(" → ")}): ${current.providersTried
          .map((t) => `${t.provider}: ${t.error}`)
          .join("; ")}`,
      });
    }
    const client = deps.videoClient(next);
    if (!client?.accepts(request)) {
      const why = client
        ? `${next} needs a start frame (--image)`
        : `${next} is not configured (set ${PROVIDER_KEYS[next]})`;
      // The primary missing is a configuration error, not a provider error: Runway does not stand in for it.
      if (next !== "runway" && !client) return advance(db, current.id, "failed", { provider: next, error: why });
      current = await advance(db, current.id, "provider_failed", { provider: next, error: why });
      continue;
    }
    const permit = await askCircuits(db, null, [client.circuit]);
    if (!permit.allowed) {
      current = await advance(db, current.id, "provider_failed", {
        provider: next,
        error: `circuit breaker ${client.circuit} open until ${permit.retryAt}`,
      });
      continue;
    }
    current = await advance(db, current.id, "submit", { provider: next, model: client.model });
    try {
      const jobId = await client.submit(request);
      if (!permit.clean) await recordCircuitCall(db, null, [client.circuit], true);
      return advance(db, current.id, "accepted", { provider_job_id: jobId });
    } catch (error) {
      if (error instanceof MediaError && error.providerError) {
        await recordCircuitCall(db, null, [client.circuit], false, message(error));
        current = await advance(db, current.id, "provider_failed", { provider: next, error: message(error) });
        continue;
      }
      return advance(db, current.id, "failed", { provider: next, error: message(error) });
    }
  }
}

async function pollVideo(db: Database, g: Generation, deps: MediaDeps): Promise<Generation> {
  const provider = g.provider as VideoProvider;
  const client = deps.videoClient(provider);
  if (!client)
    return advance(db, g.id, "failed", { error: `${provider} is no longer configured (${PROVIDER_KEYS[provider]})` });
  let status: Awaited<ReturnType<VideoClient["poll"]>>;
  try {
    status = await client.poll(g.providerJobId ?? "");
  } catch (error) {
    if (error instanceof MediaError && error.providerError) {
      await recordCircuitCall(db, null, [client.circuit], false, message(error));
      // The task may be fine: look again later, the wait growing.
      return advance(db, g.id, "poll");
    }
    // The provider no longer knows the task (or refuses to say): the route's next provider gets the video.
    const back = await advance(db, g.id, "provider_failed", { provider, error: message(error) });
    return submitVideo(db, back, deps);
  }
  if (status.state === "running") return advance(db, g.id, "poll");
  if (status.state === "failed") {
    // The provider's own task failed: a provider error, and the route's next provider gets the video.
    await recordCircuitCall(db, null, [client.circuit], false, status.error);
    const back = await advance(db, g.id, "provider_failed", { provider, error: `task failed: ${status.error}` });
    return submitVideo(db, back, deps);
  }
  let bytes: Buffer;
  try {
    bytes = await client.download(status);
  } catch (error) {
    // The file did not come (yet): the provider's side when it says so; look again later.
    if (error instanceof MediaError && error.providerError) return advance(db, g.id, "poll");
    return advance(db, g.id, "failed", { provider, error: message(error) });
  }
  const asset = await storeAsset(db, deps.store, {
    ventureId: g.ventureId,
    bytes,
    mime: status.mime,
    kind: "video",
    provider,
    model: g.model,
    variantId: g.variantId,
    derivedFrom: g.sourceAssetId,
    generationId: g.id,
    provenance: { prompt: g.prompt, duration_seconds: g.durationSeconds, provider_job_id: g.providerJobId },
  });
  const price = await priceOf(db, provider, g.model ?? "", "second");
  return advance(db, g.id, "succeeded", {
    asset_id: asset.id,
    cost_cents: price.cents * client.billedSeconds(g.durationSeconds ?? 5),
    basis: price.basis,
  });
}

/**
 * One run of the media_generation job. `db` acts as eva_service. Returns
 * when the generation is finished or waiting on its provider (its next run
 * queued at next_poll_at).
 */
export async function runMediaStep(
  db: Database,
  generationId: string,
  deps: MediaDeps,
  now = new Date(),
): Promise<StepOutcome> {
  const g = await generationById(db, generationId);
  if (!g) return { outcome: "gone", generation: null };
  if (g.status === "succeeded" || g.status === "failed" || g.status === "refused")
    return { outcome: "finished", generation: g };
  // Woken before its poll is due (a replaced job): the queued run will come.
  if (g.status === "polling" && g.nextPollAt && Date.parse(g.nextPollAt) > now.getTime() + 1000)
    return { outcome: "waiting", generation: g };
  let after: Generation;
  if (g.kind === "image") after = await runImage(db, g, deps);
  else if (g.status === "polling") after = await pollVideo(db, g, deps);
  else after = await submitVideo(db, g, deps);
  return after.status === "polling"
    ? { outcome: "waiting", generation: after }
    : { outcome: "finished", generation: after };
}
