// `eva marketing assets` and `eva marketing media …` as a user runs them (a
// real process, a real database, no provider keys: the offline renderer,
// labelled simulation), and the assets through the Chairman's GraphQL API
// under row level security: viewers read them, only the Chairman requests media.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { mintToken } from "../src/auth/tokens.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";
import { postGraphql } from "./helpers/graphql.ts";

process.env.EVA_JWT_SECRET = "media-test-secret-media-test-secret-0123456789abcdef";

const t = await createTestDatabase();
let dir: string;
let api: ApiServer;
const env = () => ({
  DATABASE_URL: t.url,
  EVA_ASSET_DIR: join(dir, "assets"),
  EVA_GEMINI_API_KEY: undefined,
  GEMINI_API_KEY: undefined,
  EVA_KLING_ACCESS_KEY: undefined,
  EVA_RUNWAY_API_KEY: undefined,
});
const eva = (args: string[]) => runEva(args, env());

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "eva-media-cli-"));
  api = await startApiServer({ url: t.url, port: 0 });
});
afterAll(async () => {
  await api?.close();
  await t.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("eva marketing media", () => {
  it("writes a template, makes an offline image with the overlay, lists the assets, and refuses over budget", async () => {
    const v = await createVenture(t.db, { name: "Media CLI Venture" });
    const logo = join(dir, "logo.png");
    await sharp({ create: { width: 50, height: 50, channels: 4, background: { r: 255, g: 0, b: 255, alpha: 1 } } })
      .png()
      .toFile(logo);

    const none = await eva(["marketing", "media", "template", v.name]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stderr).toContain("no brand template yet");
    const tpl = await eva([
      "marketing",
      "media",
      "template",
      v.name,
      "--canvas",
      "400x300",
      "--logo",
      logo,
      "--logo-box",
      "12,14,50,50",
      "--cta",
      "Start free",
      "--cta-box",
      "280,240,110,40",
      "--json",
    ]);
    expect(tpl.code, tpl.stderr).toBe(0);
    const template = JSON.parse(tpl.stdout);
    expect(template).toMatchObject({
      version: 1,
      canvas: { width: 400, height: 300 },
      logo: { x: 12, y: 14, w: 50, h: 50 },
    });
    const two = await eva([
      "marketing",
      "media",
      "template",
      v.name,
      "--legal",
      "Terms apply.",
      "--legal-at",
      "10,280",
      "--json",
    ]);
    expect(JSON.parse(two.stdout)).toMatchObject({
      version: 2,
      logo: { x: 12 },
      cta: { text: "Start free" },
      legal: { x: 10, y: 280 },
    });
    const outside = await eva(["marketing", "media", "template", v.name, "--cta-box", "350,240,110,40"]);
    expect(outside.code).not.toBe(0);

    const gen = await eva([
      "marketing",
      "media",
      "generate",
      v.name,
      "--prompt",
      "A calm desk at dawn",
      "--wait",
      "--json",
    ]);
    expect(gen.code, gen.stderr).toBe(0);
    expect(gen.stderr).toContain("offline renderer");
    const g = JSON.parse(gen.stdout);
    // The base image takes the supported aspect ratio nearest the template's 400x300 canvas.
    expect(g).toMatchObject({
      kind: "image",
      status: "succeeded",
      provider: "offline",
      costCents: 0,
      aspectRatio: "4:3",
    });

    const list = await eva(["marketing", "assets", v.name, "--json"]);
    expect(list.code, list.stderr).toBe(0);
    const assets = JSON.parse(list.stdout) as {
      id: string;
      kind: string;
      provider: string;
      label: string;
      path: string;
      width: number;
    }[];
    expect(assets.map((a) => `${a.kind}:${a.provider}:${a.label}`).sort()).toEqual([
      "image:offline:simulation",
      "image:overlay:simulation",
      "logo:upload:fact",
    ]);
    const overlay = assets.find((a) => a.provider === "overlay");
    expect(overlay?.id).toBe(g.resultAssetId);
    expect(overlay?.width).toBe(400);
    for (const a of assets) expect(existsSync(a.path)).toBe(true);
    const { data, info } = await sharp(overlay?.path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
    expect(at(12, 14)).toEqual([255, 0, 255]);
    expect(at(61, 63)).toEqual([255, 0, 255]);
    const table = await eva(["marketing", "assets", v.name]);
    expect(table.stdout).toMatch(/image\s+image\/png\s+400x300\s+\d+\s+overlay \(brand-template v2\)\s+simulation/);

    const budget = await eva(["marketing", "media", "budget", v.name, "--video", "20", "--json"]);
    expect(budget.code, budget.stderr).toBe(0);
    expect(JSON.parse(budget.stdout)).toEqual([
      expect.objectContaining({ kind: "image", budget_cents: 2000, source: "default", spent_cents: 0 }),
      expect.objectContaining({ kind: "video", budget_cents: 20, source: "chairman", remaining_cents: 20 }),
    ]);
    const video = await eva([
      "marketing",
      "media",
      "generate",
      v.name,
      "--video",
      "--prompt",
      "The desk comes alive",
      "--json",
    ]);
    expect(video.code).toBe(1);
    expect(video.stderr).toContain("refused by the budget governor");
    expect(JSON.parse(video.stdout)).toMatchObject({ status: "refused", kind: "video" });
    const show = await eva(["marketing", "media", "show", g.id]);
    expect(show.stdout).toMatch(/status:\s+succeeded/);
  }, 180_000);
});

describe("media through GraphQL", () => {
  const gql = (query: string, token: string, variables: Record<string, unknown> = {}) =>
    postGraphql(api.url, query, { variables, token });

  it("viewers read assets and generations; the Chairman requests media; viewers cannot", async () => {
    const v = await createVenture(t.db, { name: "Media API Venture" });
    const chairman = await mintToken("chairman", 600);
    const viewer = await mintToken("viewer", 600);
    const request = `mutation ($venture: UUID!) {
      requestMedia(input: { pVentureId: $venture, pKind: "image", pPrompt: "A launch banner" }) {
        result { rowId status kind estimatedCostCents }
      }
    }`;
    const denied = await gql(request, viewer, { venture: v.id });
    expect(denied.errors?.[0]?.message).toMatch(/permission denied/);
    const ok = await gql(request, chairman, { venture: v.id });
    expect(ok.errors).toBeUndefined();
    const made = (ok.data as { requestMedia: { result: { rowId: string; status: string } } }).requestMedia.result;
    expect(made.status).toBe("requested");

    const gen = await eva([
      "marketing",
      "media",
      "generate",
      v.name,
      "--prompt",
      "A launch banner",
      "--wait",
      "--json",
    ]);
    expect(gen.code, gen.stderr).toBe(0);
    const read = await gql(
      `query ($venture: UUID!) {
        allAssets(condition: { ventureId: $venture }) { nodes { sha256 kind provider label simulation mime } }
        allMediaGenerations(condition: { ventureId: $venture }, orderBy: CREATED_AT_ASC) { nodes { rowId status provider } }
      }`,
      viewer,
      { venture: v.id },
    );
    expect(read.errors).toBeUndefined();
    const assets = (read.data as { allAssets: { nodes: { provider: string; label: string; sha256: string }[] } })
      .allAssets.nodes;
    expect(assets).toEqual([
      expect.objectContaining({ provider: "offline", label: "simulation", simulation: true, mime: "image/png" }),
    ]);
    expect(assets[0]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    const gens = (read.data as { allMediaGenerations: { nodes: { rowId: string; status: string }[] } })
      .allMediaGenerations.nodes;
    expect(gens.map((x) => x.status)).toEqual(["requested", "succeeded"]);
    expect(gens[0]?.rowId).toBe(made.rowId);
    const hidden = await gql(`mutation { recordAsset(input: {}) { clientMutationId } }`, chairman);
    expect(hidden.errors?.[0]?.message).toMatch(/recordAsset/);
  }, 60_000);
});
