// Media (issue 13, spec §17.2, §17.3): what the deterministic parts cost.
//  - overlay: 1080x1080 brand overlays per second (base fitted, watermark,
//    logo, CTA button, legal line, PNG out) beside sharp fitting and encoding
//    the same base with no layers — the overlay's own share is the ratio.
//  - offline renderer: base images per second (1280x720 PNG from a prompt).
//  - request: media requests per second through marketing.fn_request_media
//    (the budget governor's sums, the row, its job), as eva_service.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import sharp from "sharp";
import { connect, withRole } from "../src/db/client.ts";
import { renderOffline } from "../src/marketing/media/offline-renderer.ts";
import { applyBrandOverlay, type BrandTemplate } from "../src/marketing/media/overlay.ts";
import type { BenchServer, Measurement } from "./lib.ts";
import { progress } from "./lib.ts";

const OVERLAYS = 60;
const RENDERS = 40;
const REQUESTS = 1_000;

const template: BrandTemplate = {
  id: "bench",
  ventureId: "bench",
  version: 1,
  canvas: { width: 1080, height: 1080 },
  logo: { assetId: "logo", x: 40, y: 40, w: 160, h: 160 },
  cta: { text: "Start free", x: 680, y: 940, w: 360, h: 90, bg: "#1a56db", fg: "#ffffff" },
  legal: { text: "Terms apply. EVA bench.", x: 40, y: 1040, size: 18, color: "#ffffff" },
  watermark: { text: "LedgerLoop", opacity: 0.25 },
  createdBy: "bench",
  createdAt: new Date().toISOString(),
};

async function perSecond(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  await fn(-1);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return n / ((performance.now() - t0) / 1000);
}

export async function mediaBench(server: BenchServer, signal: AbortSignal): Promise<Measurement[]> {
  const base = (await renderOffline("bench base image", 1280, 720)).bytes;
  const logo = await sharp({
    create: { width: 320, height: 320, channels: 4, background: { r: 200, g: 30, b: 30, alpha: 1 } },
  })
    .png()
    .toBuffer();
  progress(`media: ${OVERLAYS} overlays and as many plain fits`);
  const plain = await perSecond(OVERLAYS, () =>
    sharp(base).resize(1080, 1080, { fit: "cover" }).png({ compressionLevel: 9 }).toBuffer(),
  );
  const overlay = await perSecond(OVERLAYS, () => applyBrandOverlay(base, template, logo));
  progress(`media: ${RENDERS} offline renders`);
  const render = await perSecond(RENDERS, (i) => renderOffline(`prompt ${i}`, 1280, 720));

  const database = await server.freshDatabase("media");
  try {
    const c = connect(database.url, { max: 1 });
    try {
      const { rows } = await withRole(c.db, "eva_chairman", (trx) =>
        sql<{ id: string }>`select id from eva.fn_create_venture(${`Bench media ${randomUUID().slice(0, 6)}`},
          'An invoice reconciliation assistant for small accounting firms that drown in paperwork.',
          'Small firms lose hours every week matching invoices to payments.',
          'Matches every invoice to its payment automatically, with an audit trail.',
          'Accounting firms with 2-20 staff in the EU', 'saas'::eva.venture_archetype, array['a'], array['b'])`.execute(
          trx,
        ),
      );
      const venture = rows[0]?.id as string;
      // Room for every request: the governor sums, it does not refuse.
      await withRole(c.db, "eva_chairman", (trx) =>
        sql`select marketing.fn_set_media_budget(${venture}::uuid, 'video', 100000000)`.execute(trx),
      );
      progress(`media: ${REQUESTS} requests through the governor`);
      const requests = await perSecond(REQUESTS, async () => {
        if (signal.aborted) throw signal.reason;
        await withRole(c.db, "eva_service", (trx) =>
          sql`select id from marketing.fn_request_media(${venture}::uuid, 'video', 'bench clip', null, null, 5)`.execute(
            trx,
          ),
        );
      });
      return [
        {
          id: "media.plain_fit_per_s",
          label: "media: sharp fit + PNG, no layers (1080²)",
          value: plain,
          unit: "images/s",
        },
        {
          id: "media.overlay_per_s",
          label: "media: brand overlay (logo, CTA, legal, watermark; 1080²)",
          value: overlay,
          unit: "images/s",
          vs: "media.plain_fit_per_s",
        },
        {
          id: "media.offline_render_per_s",
          label: "media: offline renderer (1280x720, simulation)",
          value: render,
          unit: "images/s",
        },
        {
          id: "media.requests_per_s",
          label: "media: requests through the budget governor (fn_request_media, growing month)",
          value: requests,
          unit: "requests/s",
          note: `${REQUESTS} in flight by the end`,
        },
      ];
    } finally {
      await c.close();
    }
  } finally {
    await database.drop();
  }
}
