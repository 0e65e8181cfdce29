// eva marketing assets / eva marketing media …: a venture's media (spec §17.2,
// §17.3). `assets` lists the content-addressed assets; `media generate`
// requests an image or a video through the budget governor (queued for a
// worker; --wait runs its steps here); `media show` reads a generation;
// `media template` shows or writes the brand template; `media budget` reads
// or sets the monthly image and I2V budgets; `media tier` tags content hero.
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { sql } from "kysely";
import { connect, type Database, withRole } from "../../db/client.ts";
import { type AssetKind, AssetStore, listAssets, storeAsset } from "../../marketing/media/asset-store.ts";
import {
  type Generation,
  generationById,
  type MediaDeps,
  requestMedia,
  runMediaStep,
} from "../../marketing/media/generations.ts";
import { SIMULATION_LABEL } from "../../marketing/media/offline-renderer.ts";
import type { BrandTemplate } from "../../marketing/media/overlay.ts";
import { brandTemplate, setBrandTemplate, type TemplateSpec } from "../../marketing/media/templates.ts";
import { defaultMediaDeps } from "../../tasks/marketing-media.ts";
import { withSession } from "../database.ts";
import { printFields, printJson, printTable, progress, UserError } from "../output.ts";
import { namedVenture } from "../venture-ref.ts";

const KINDS = ["image", "video", "logo", "reference"];

const box = (flag: string) => (value: string) => {
  const parts = value.split(",").map((p) => Number(p.trim()));
  if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0))
    throw new UserError(`${flag} is x,y,w,h in whole pixels, not "${value}"`, 2);
  const [x, y, w, h] = parts as [number, number, number, number];
  return { x, y, w, h };
};
const point = (flag: string) => (value: string) => {
  const parts = value.split(",").map((p) => Number(p.trim()));
  if (parts.length !== 2 || parts.some((n) => !Number.isInteger(n) || n < 0))
    throw new UserError(`${flag} is x,y in whole pixels, not "${value}"`, 2);
  return { x: parts[0] as number, y: parts[1] as number };
};
const size = (value: string) => {
  const m = value.match(/^(\d+)x(\d+)$/);
  if (!m) throw new UserError(`--canvas is WIDTHxHEIGHT (e.g. 1080x1080), not "${value}"`, 2);
  return { width: Number(m[1]), height: Number(m[2]) };
};
const whole = (flag: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`${flag} is a whole number, not "${value}"`, 2);
  return n;
};
const uuidish = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

function describeTemplate(t: BrandTemplate): [string, unknown][] {
  return [
    ["template", `${t.id} (version ${t.version})`],
    ["canvas", `${t.canvas.width}x${t.canvas.height}`],
    ["logo", t.logo ? `asset ${t.logo.assetId} at ${t.logo.x},${t.logo.y} size ${t.logo.w}x${t.logo.h}` : "(none)"],
    [
      "cta",
      t.cta
        ? `"${t.cta.text}" at ${t.cta.x},${t.cta.y} size ${t.cta.w}x${t.cta.h} (${t.cta.bg} on ${t.cta.fg})`
        : "(none)",
    ],
    [
      "legal",
      t.legal ? `"${t.legal.text}" at ${t.legal.x},${t.legal.y} (${t.legal.size} px, ${t.legal.color})` : "(none)",
    ],
    ["watermark", t.watermark ? `"${t.watermark.text}" (opacity ${t.watermark.opacity})` : "(none)"],
    ["written by", `${t.createdBy} at ${t.createdAt}`],
  ];
}

function describeGeneration(g: Generation): [string, unknown][] {
  return [
    ["generation", g.id],
    ["kind", `${g.kind}${g.kind === "video" ? ` (${g.durationSeconds} s, ${g.aspectRatio})` : ` (${g.aspectRatio})`}`],
    ["tier", g.contentTier],
    ["status", g.status],
    ["provider", g.provider ? `${g.provider} (${g.model})` : ""],
    ["tried", g.providersTried.map((p) => `${p.provider}: ${p.error}`).join("; ")],
    ["polls", g.kind === "video" ? `${g.polls}${g.nextPollAt ? `, next at ${g.nextPollAt}` : ""}` : ""],
    ["estimated", `${g.estimatedCostCents} cents`],
    ["cost", g.costCents === null ? "" : `${g.costCents} cents (spend ledger)`],
    ["asset", g.resultAssetId ?? ""],
    ["error", g.lastError ?? ""],
  ];
}

/** Runs a generation's steps in this process (as eva_service), waiting here between polls, until it finishes. */
async function runHere(db: Database, id: string, deps: MediaDeps): Promise<Generation | null> {
  for (;;) {
    const r = await runMediaStep(db, id, deps);
    if (r.outcome !== "waiting") return r.generation;
    const wait = Math.max(0, Date.parse(r.generation.nextPollAt ?? "") - Date.now());
    progress(
      `  ${r.generation.provider} is working (poll ${r.generation.polls}); next look in ${Math.round(wait / 1000)} s`,
    );
    await new Promise((done) => setTimeout(done, wait));
  }
}

async function uploadAsset(db: Database, store: AssetStore, ventureId: string, file: string, kind: AssetKind) {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    throw new UserError(`cannot read ${file}`);
  }
  try {
    return await storeAsset(db, store, { ventureId, bytes, kind, provider: "upload", provenance: { file } });
  } catch (error) {
    if (error instanceof Error && /type is unknown/.test(error.message)) throw new UserError(`${file} is not an image`);
    throw error;
  }
}

export function registerMarketingMedia(marketing: Command): void {
  marketing
    .command("assets <venture>")
    .description("a venture's media assets (content-addressed images, videos, logos, references), newest first")
    .option("--kind <kind>", `only one kind (${KINDS.join(", ")})`)
    .option("--json", "print the assets as JSON, each with its file's path")
    .addHelpText(
      "after",
      `
Each asset's bytes are <EVA_ASSET_DIR>/<first two hex digits>/<sha256>
(EVA_ASSET_DIR defaults to .eva/assets). LABEL simulation marks what the
offline renderer made (no image provider was called).

Examples:
  npx eva marketing assets LedgerLoop
  npx eva marketing assets LedgerLoop --kind image --json`,
    )
    .action(async (ref: string, options: { kind?: string; json?: boolean }) => {
      if (options.kind && !KINDS.includes(options.kind))
        throw new UserError(`--kind is one of ${KINDS.join(", ")}, not "${options.kind}"`, 2);
      const store = new AssetStore();
      await withSession(async ({ connection }) => {
        const rows = await withRole(connection.db, "eva_viewer", async (trx) => {
          const venture = await namedVenture(trx, ref);
          return listAssets(trx, venture.id, options.kind ? { kind: options.kind as AssetKind } : {});
        });
        const withPath = rows.map((a) => ({ ...a, path: store.pathOf(a.sha256) }));
        if (options.json) return printJson(withPath);
        if (!rows.length) return progress("no assets yet (npx eva marketing media generate <venture>)");
        printTable(
          withPath.map((a) => ({
            ...a,
            size: a.width ? `${a.width}x${a.height}` : "",
            source: `${a.provider}${a.model ? ` (${a.model})` : ""}`,
            sha: a.sha256.slice(0, 12),
            variant: a.variantId ? a.variantId.slice(0, 8) : "",
            at: a.createdAt.replace("T", " ").slice(0, 19),
          })),
          [
            ["id", "ASSET"],
            ["kind", "KIND"],
            ["mime", "TYPE"],
            ["size", "SIZE"],
            ["bytes", "BYTES"],
            ["source", "SOURCE"],
            ["label", "LABEL"],
            ["variant", "VARIANT"],
            ["sha", "SHA256"],
            ["at", "CREATED"],
          ],
        );
      });
    });

  const media = marketing
    .command("media")
    .description("images with the brand overlay and routed image-to-video: generate, show, template, budget, tier");

  media
    .command("generate <venture>")
    .description("request an image or a video (through the monthly budget governor); --wait makes it now")
    .option("--video", "a video (image-to-video with --image or --from-asset; text-to-video on Kling without)")
    .requiredOption("--prompt <text>", "what to make")
    .option("--variant <id>", "the content variant it is for (its content's tier decides the video route)")
    .option("--image <file>", "the start frame of a video, stored as an asset first")
    .option("--from-asset <id>", "an image asset of the venture as the video's start frame")
    .option("--seconds <n>", "video length in seconds (default 5)", whole("--seconds"))
    .option("--aspect <ratio>", "aspect ratio, e.g. 16:9, 9:16, 1:1 (default 16:9)")
    .option(
      "--hero",
      "hero tier without a variant (Veo); with a variant, tag its content: npx eva marketing media tier",
    )
    .option("--wait", "run the generation in this process, polling the provider here, until it is done")
    .option("--json", "print the generation as JSON")
    .addHelpText(
      "after",
      `
Images: Gemini (EVA_GEMINI_API_KEY; model EVA_GEMINI_IMAGE_MODEL, default
gemini-3-pro-image-preview) with up to 14 of the venture's logo and reference
assets, then the venture's brand template overlaid. Without a key the offline
renderer makes the base image, labelled simulation.
Video: Kling by default, Veo only for hero content, Runway only after those
failed with provider errors. Without --wait a worker (npx eva worker, or npm
start) runs it, polling with backoff.

Examples:
  npx eva marketing media generate LedgerLoop --prompt "A calm desk at dawn" --wait
  npx eva marketing media generate LedgerLoop --video --image frame.png --prompt "The desk comes alive" --seconds 5`,
    )
    .action(
      async (
        ref: string,
        o: {
          video?: boolean;
          prompt: string;
          variant?: string;
          image?: string;
          fromAsset?: string;
          seconds?: number;
          aspect?: string;
          hero?: boolean;
          wait?: boolean;
          json?: boolean;
        },
      ) => {
        if (o.variant && !uuidish(o.variant)) throw new UserError(`--variant is a variant's id, not "${o.variant}"`, 2);
        if (o.fromAsset && !uuidish(o.fromAsset))
          throw new UserError(`--from-asset is an asset's id, not "${o.fromAsset}"`, 2);
        if (!o.video && (o.image || o.fromAsset || o.seconds !== undefined))
          throw new UserError("--image, --from-asset and --seconds are for --video", 2);
        const deps = defaultMediaDeps();
        await withSession(async ({ connection, location }) => {
          const g = await withRole(connection.db, "eva_chairman", async (trx) => {
            const venture = await namedVenture(trx, ref);
            const source = o.image
              ? (await uploadAsset(trx, deps.store, venture.id, o.image, "image")).id
              : o.fromAsset;
            return requestMedia(trx, {
              ventureId: venture.id,
              kind: o.video ? "video" : "image",
              prompt: o.prompt,
              variantId: o.variant ?? null,
              sourceAssetId: source ?? null,
              durationSeconds: o.seconds ?? null,
              aspectRatio: o.aspect ?? null,
              contentTier: o.hero ? "hero" : null,
            });
          });
          let result: Generation | null = g;
          if (g.status === "refused") {
            progress(`refused by the budget governor: ${g.lastError}`);
          } else if (o.wait) {
            const service = connect(location.url, { max: 2, applicationName: "eva-media", role: "eva_service" });
            try {
              if (g.kind === "image" && deps.imageGenerator().provider === "offline")
                progress(`no EVA_GEMINI_API_KEY: the offline renderer makes the base image (${SIMULATION_LABEL})`);
              result = await runHere(service.db, g.id, deps);
            } finally {
              await service.close();
            }
          } else {
            progress(`queued ${g.kind} ${g.id}: a worker (npx eva worker, or npm start) makes it`);
          }
          if (!result) throw new UserError(`generation ${g.id} vanished`);
          if (o.json) printJson(result);
          else printFields(describeGeneration(result));
          if (result.status === "refused" || result.status === "failed") process.exitCode = 1;
        });
      },
    );

  media
    .command("show <generation>")
    .description("one media generation: its route, status, polls, cost and asset")
    .option("--json", "print it as JSON")
    .action(async (id: string, o: { json?: boolean }) => {
      if (!uuidish(id)) throw new UserError(`give a generation's id, not "${id}"`, 2);
      await withSession(async ({ connection }) => {
        const g = await withRole(connection.db, "eva_viewer", (trx) => generationById(trx, id));
        if (!g) throw new UserError(`no media generation ${id} [EV404]`);
        if (o.json) return printJson(g);
        printFields(describeGeneration(g));
      });
    });

  media
    .command("template <venture>")
    .description("show the venture's brand template, or write its next version from the options (the rest kept)")
    .option("--canvas <WxH>", "canvas size in pixels, e.g. 1080x1080", size)
    .option("--logo <file>", "the logo image (stored as a logo asset)")
    .option("--logo-box <x,y,w,h>", "where the logo goes, in pixels", box("--logo-box"))
    .option("--cta <text>", "the call-to-action button's text")
    .option("--cta-box <x,y,w,h>", "the button's box, in pixels", box("--cta-box"))
    .option("--cta-colors <bg,fg>", "the button's colours, e.g. #1a56db,#ffffff")
    .option("--legal <text>", "the legal line")
    .option("--legal-at <x,y>", "where the legal line starts (top left), in pixels", point("--legal-at"))
    .option("--legal-size <px>", "the legal line's font size", whole("--legal-size"))
    .option("--watermark <text>", "a diagonal watermark")
    .option("--json", "print the template as JSON")
    .addHelpText(
      "after",
      `
Every box must lie inside the canvas. Each write is a new version; images use
the latest.

Examples:
  npx eva marketing media template LedgerLoop
  npx eva marketing media template LedgerLoop --canvas 1080x1080 --logo logo.png --logo-box 40,40,160,160 \\
    --cta "Start free" --cta-box 680,940,360,90 --legal "Terms apply." --legal-at 40,1040`,
    )
    .action(
      async (
        ref: string,
        o: {
          canvas?: { width: number; height: number };
          logo?: string;
          logoBox?: { x: number; y: number; w: number; h: number };
          cta?: string;
          ctaBox?: { x: number; y: number; w: number; h: number };
          ctaColors?: string;
          legal?: string;
          legalAt?: { x: number; y: number };
          legalSize?: number;
          watermark?: string;
          json?: boolean;
        },
      ) => {
        const writes = [
          o.canvas,
          o.logo,
          o.logoBox,
          o.cta,
          o.ctaBox,
          o.ctaColors,
          o.legal,
          o.legalAt,
          o.legalSize,
          o.watermark,
        ];
        const store = new AssetStore();
        await withSession(async ({ connection }) => {
          const t = await withRole(connection.db, "eva_chairman", async (trx) => {
            const venture = await namedVenture(trx, ref);
            const current = await brandTemplate(trx, venture.id);
            if (writes.every((w) => w === undefined)) return current;
            const canvas = o.canvas ?? current?.canvas;
            if (!canvas) throw new UserError("the first template needs --canvas WIDTHxHEIGHT", 2);
            const spec: TemplateSpec = { canvas };
            const logoId = o.logo
              ? (await uploadAsset(trx, store, venture.id, o.logo, "logo")).id
              : current?.logo?.assetId;
            const logoBox = o.logoBox ?? current?.logo;
            if (logoId && !logoBox) throw new UserError("--logo needs --logo-box x,y,w,h", 2);
            if (logoId && logoBox)
              spec.logo = { asset_id: logoId, x: logoBox.x, y: logoBox.y, w: logoBox.w, h: logoBox.h };
            const ctaText = o.cta ?? current?.cta?.text;
            const ctaBox = o.ctaBox ?? current?.cta;
            const [bg, fg] = o.ctaColors
              ? o.ctaColors.split(",").map((c) => c.trim())
              : [current?.cta?.bg, current?.cta?.fg];
            if (ctaText && !ctaBox) throw new UserError("--cta needs --cta-box x,y,w,h", 2);
            if (ctaText && ctaBox)
              spec.cta = {
                text: ctaText,
                x: ctaBox.x,
                y: ctaBox.y,
                w: ctaBox.w,
                h: ctaBox.h,
                ...(bg ? { bg } : {}),
                ...(fg ? { fg } : {}),
              };
            const legalText = o.legal ?? current?.legal?.text;
            const legalAt = o.legalAt ?? current?.legal;
            if (legalText && !legalAt) throw new UserError("--legal needs --legal-at x,y", 2);
            if (legalText && legalAt)
              spec.legal = {
                text: legalText,
                x: legalAt.x,
                y: legalAt.y,
                size: o.legalSize ?? current?.legal?.size ?? 14,
                ...(current?.legal?.color ? { color: current.legal.color } : {}),
              };
            const watermark = o.watermark ?? current?.watermark?.text;
            if (watermark) spec.watermark = { text: watermark, opacity: current?.watermark?.opacity ?? 0.25 };
            return setBrandTemplate(trx, venture.id, spec);
          });
          if (!t) return progress("no brand template yet: write one with --canvas (see --help)");
          if (o.json) return printJson(t);
          printFields(describeTemplate(t));
        });
      },
    );

  media
    .command("budget <venture>")
    .description("the venture's monthly media budgets this month (image, video) — or set them, in cents")
    .option("--image <cents>", "the monthly image-generation budget, in cents", whole("--image"))
    .option("--video <cents>", "the monthly image-to-video budget, in cents", whole("--video"))
    .option("--json", "print the budgets as JSON")
    .addHelpText(
      "after",
      `
Spent is what the spend ledger charged this month; reserved is what requested
and running generations may still cost. A request that does not fit what
remains is refused.

Examples:
  npx eva marketing media budget LedgerLoop
  npx eva marketing media budget LedgerLoop --video 10000`,
    )
    .action(async (ref: string, o: { image?: number; video?: number; json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const rows = await withRole(connection.db, "eva_chairman", async (trx) => {
          const venture = await namedVenture(trx, ref);
          for (const [kind, cents] of [
            ["image", o.image],
            ["video", o.video],
          ] as const)
            if (cents !== undefined)
              await sql`select marketing.fn_set_media_budget(${venture.id}::uuid, ${kind}, ${cents}::bigint)`.execute(
                trx,
              );
          const { rows } = await sql<{ b: Record<string, unknown> }>`
            select marketing.fn_media_budget_status(${venture.id}::uuid, k) as b from unnest(array['image', 'video']) k`.execute(
            trx,
          );
          return rows.map((r) => r.b);
        });
        if (o.json) return printJson(rows);
        printTable(rows as Record<string, unknown>[], [
          ["kind", "KIND"],
          ["month", "MONTH"],
          ["budget_cents", "BUDGET (CENTS)"],
          ["source", "SET BY"],
          ["spent_cents", "SPENT"],
          ["reserved_cents", "RESERVED"],
          ["remaining_cents", "REMAINING"],
        ]);
      });
    });

  media
    .command("tier <content> <tier>")
    .description("tag a content item standard or hero (hero video goes to Veo)")
    .action(async (id: string, tier: string) => {
      if (!uuidish(id)) throw new UserError(`give a content item's id, not "${id}"`, 2);
      if (tier !== "standard" && tier !== "hero") throw new UserError(`the tier is standard or hero, not "${tier}"`, 2);
      await withSession(async ({ connection }) => {
        await withRole(connection.db, "eva_chairman", (trx) =>
          sql`select marketing.fn_set_content_tier(${id}::uuid, ${tier})`.execute(trx),
        );
        progress(`content ${id} is ${tier}`);
      });
    });
}
