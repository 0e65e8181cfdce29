// Images (spec §17.2) on a real PostgreSQL: the content-addressed store
// dedupes, a brand template's versions, the deterministic offline renderer
// (labelled simulation), and the overlay landing at the template's exact
// pixel coordinates (read back from sharp's raw pixels).
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { AssetStore, listAssets, sha256Of, storeAsset } from "../src/marketing/media/asset-store.ts";
import { renderOffline } from "../src/marketing/media/offline-renderer.ts";
import { applyBrandOverlay } from "../src/marketing/media/overlay.ts";
import { brandTemplate, setBrandTemplate } from "../src/marketing/media/templates.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
let dir: string;
let store: AssetStore;
afterAll(async () => {
  await t.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "eva-assets-"));
  store = new AssetStore(dir);
});

const solid = (w: number, h: number, rgb: { r: number; g: number; b: number }) =>
  sharp({ create: { width: w, height: h, channels: 4, background: { ...rgb, alpha: 1 } } })
    .png()
    .toBuffer();

async function pixels(png: Buffer) {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return {
    info,
    at: (x: number, y: number) => {
      const i = (y * info.width + x) * info.channels;
      return [data[i], data[i + 1], data[i + 2]] as [number, number, number];
    },
  };
}

describe("the asset store", () => {
  it("stores the same bytes once, and records one asset per venture", async () => {
    const v = await createVenture(t.db);
    const bytes = await solid(32, 32, { r: 10, g: 200, b: 30 });
    const a = await withRole(t.db, "eva_service", (trx) =>
      storeAsset(trx, store, { ventureId: v.id, bytes, kind: "logo", provider: "upload" }),
    );
    const b = await withRole(t.db, "eva_service", (trx) =>
      storeAsset(trx, store, { ventureId: v.id, bytes, kind: "logo", provider: "upload" }),
    );
    expect(b.id).toBe(a.id);
    expect(a.sha256).toBe(sha256Of(bytes));
    expect(a).toMatchObject({ mime: "image/png", width: 32, height: 32, bytes: bytes.byteLength, label: "fact" });
    expect(await readdir(join(dir, a.sha256.slice(0, 2)))).toEqual([a.sha256]);
    expect((await store.get(a.sha256)).equals(bytes)).toBe(true);
    const other = await createVenture(t.db);
    const c = await withRole(t.db, "eva_service", (trx) =>
      storeAsset(trx, store, { ventureId: other.id, bytes, kind: "logo", provider: "upload" }),
    );
    expect(c.id).not.toBe(a.id);
    expect(c.sha256).toBe(a.sha256);
    expect(await withRole(t.db, "eva_viewer", (trx) => listAssets(trx, v.id))).toHaveLength(1);
  });
});

describe("the offline renderer", () => {
  it("makes the same image from the same prompt, another from another prompt", async () => {
    const a = await renderOffline("a calm desk at dawn", 320, 200);
    const b = await renderOffline("a calm desk at dawn", 320, 200);
    const c = await renderOffline("a busy market", 320, 200);
    expect(sha256Of(a.bytes)).toBe(sha256Of(b.bytes));
    expect(sha256Of(c.bytes)).not.toBe(sha256Of(a.bytes));
    expect(a.simulation).toBe(true);
    expect((await sharp(a.bytes).metadata()).width).toBe(320);
  });
});

describe("brand templates and the overlay", () => {
  it("versions templates and refuses boxes outside the canvas", async () => {
    const v = await createVenture(t.db);
    const one = await withRole(t.db, "eva_chairman", (trx) =>
      setBrandTemplate(trx, v.id, { canvas: { width: 400, height: 300 }, watermark: { text: "EVA" } }),
    );
    const two = await withRole(t.db, "eva_chairman", (trx) =>
      setBrandTemplate(trx, v.id, {
        canvas: { width: 400, height: 300 },
        cta: { text: "Go", x: 10, y: 10, w: 80, h: 30 },
      }),
    );
    expect([one.version, two.version]).toEqual([1, 2]);
    expect((await withRole(t.db, "eva_viewer", (trx) => brandTemplate(trx, v.id)))?.id).toBe(two.id);
    await expect(
      withRole(t.db, "eva_chairman", (trx) =>
        setBrandTemplate(trx, v.id, {
          canvas: { width: 400, height: 300 },
          cta: { text: "Go", x: 350, y: 10, w: 80, h: 30 },
        }),
      ),
    ).rejects.toMatchObject({ code: "23514" });
    await expect(
      withRole(t.db, "eva_viewer", (trx) => setBrandTemplate(trx, v.id, { canvas: { width: 400, height: 300 } })),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("puts the logo, the CTA button and the legal text at the template's pixels, the same every time", async () => {
    const v = await createVenture(t.db);
    const logoBytes = await solid(60, 60, { r: 255, g: 0, b: 0 });
    const logo = await withRole(t.db, "eva_service", (trx) =>
      storeAsset(trx, store, { ventureId: v.id, bytes: logoBytes, kind: "logo", provider: "upload" }),
    );
    const template = await withRole(t.db, "eva_chairman", (trx) =>
      setBrandTemplate(trx, v.id, {
        canvas: { width: 640, height: 360 },
        logo: { asset_id: logo.id, x: 23, y: 17, w: 48, h: 48 },
        cta: { text: "Start free", x: 400, y: 280, w: 200, h: 50, bg: "#00ff00", fg: "#000000" },
        legal: { text: "Terms apply.", x: 20, y: 330, size: 16, color: "#0000ff" },
      }),
    );
    const base = await solid(1280, 720, { r: 255, g: 255, b: 255 });
    const out = await applyBrandOverlay(base, template, await store.get(logo.sha256));
    const again = await applyBrandOverlay(base, template, await store.get(logo.sha256));
    expect(sha256Of(out)).toBe(sha256Of(again));
    const p = await pixels(out);
    expect([p.info.width, p.info.height]).toEqual([640, 360]);
    // The logo fills its box exactly: red inside every corner, white one pixel outside.
    for (const [x, y] of [
      [23, 17],
      [70, 17],
      [23, 64],
      [70, 64],
      [46, 40],
    ] as const)
      expect(p.at(x, y)).toEqual([255, 0, 0]);
    for (const [x, y] of [
      [22, 17],
      [71, 40],
      [46, 16],
      [46, 65],
    ] as const)
      expect(p.at(x, y)).toEqual([255, 255, 255]);
    // The CTA button's colour fills its box (away from the rounded corners and the centred text), not outside it.
    expect(p.at(404, 305)).toEqual([0, 255, 0]);
    expect(p.at(595, 305)).toEqual([0, 255, 0]);
    expect(p.at(500, 283)).toEqual([0, 255, 0]);
    expect(p.at(398, 305)).toEqual([255, 255, 255]);
    expect(p.at(500, 332)).toEqual([255, 255, 255]);
    // Its text is drawn in the foreground colour inside the box.
    let dark = 0;
    for (let x = 400; x < 600; x += 1) if (p.at(x, 305)[1] < 100) dark += 1;
    expect(dark).toBeGreaterThan(5);
    // The legal text: blue-ish pixels right of and below its origin, none above it.
    let blue = 0;
    let above = 0;
    for (let y = 300; y < 360; y += 1)
      for (let x = 0; x < 200; x += 1) {
        const [r, g, b] = p.at(x, y);
        if (b > 150 && r < 150 && g < 150) {
          if (y >= 330 && x >= 20) blue += 1;
          else above += 1;
        }
      }
    expect(blue).toBeGreaterThan(20);
    expect(above).toBe(0);
  });
});

describe("the budget governor's numbers", () => {
  it("reads the default image budget when the Chairman set none", async () => {
    const v = await createVenture(t.db);
    const { rows } = await withRole(t.db, "eva_viewer", (trx) =>
      sql<{ b: Record<string, unknown> }>`select marketing.fn_media_budget_status(${v.id}::uuid, 'image') as b`.execute(
        trx,
      ),
    );
    expect(rows[0]?.b).toMatchObject({ budget_cents: 2000, source: "default", spent_cents: 0, remaining_cents: 2000 });
  });
});
