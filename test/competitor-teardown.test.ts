// Stage 0's competitor teardown: offline it fetches nothing and says it read
// the URLs' names only; online it fetches each page through the
// competitor_teardown agent's toolbox (checked and recorded), keeps the page's
// facts apart from the analysis, runs a gap analysis across several URLs, and
// carries on by name when a fetch fails or the tool policy refuses it.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import {
  competitorTeardown,
  pricingMentions,
  teardownAnalysisSchema,
  teardownSummary,
  urlFetchEnabled,
} from "../src/ideation/competitor-teardown.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { createOpenAIAnalyst } from "../src/llm/openai-analyst.ts";
import { assignProfile, listCalls } from "../src/tools/policy.ts";
import { createToolbox } from "../src/tools/toolbox.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { type FakeOpenAIServer, reply, startFakeOpenAIServer } from "./helpers/fake-openai-server.ts";

const t = await createTestDatabase();
let site: Server;
let base: string;
let requests: string[] = [];
let model: FakeOpenAIServer;

const PAGES: Record<string, string> = {
  "/invoicely": `<html><head><title>Invoicely — invoices for freelancers</title><meta name="description" content="Send invoices in seconds"></head>
    <body><h1>Invoices in seconds</h1><h2>Recurring billing</h2><h2>Pricing</h2><p>Solo $12/month, Team $49 per month. Free trial.</p></body></html>`,
  "/billfast": `<html><head><title>BillFast</title></head>
    <body><h1>Billing for agencies</h1><h2>Time tracking</h2><h2>Integrations</h2><p>From €29/mo per seat.</p></body></html>`,
};

beforeAll(async () => {
  site = createServer((req, res) => {
    requests.push(req.url ?? "");
    const page = PAGES[req.url ?? ""];
    if (!page) {
      res.writeHead(500, { "content-type": "text/plain" });
      return void res.end("down");
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(page);
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  model = await startFakeOpenAIServer();
});
afterAll(async () => {
  await new Promise((resolve) => site.close(resolve));
  await model.close();
  await t.drop();
});

const toolbox = () =>
  createToolbox(t.db, "competitor_teardown", { limits: { fetch: { allowPrivateAddresses: true } } });

describe("competitor teardown", () => {
  it("offline fetches nothing and says it analysed the URLs' names only", async () => {
    requests = [];
    const result = await competitorTeardown(
      createOfflineAnalyst(),
      ["https://www.invoicely.com/pricing", "https://billfast.io"],
      { toolbox: toolbox(), online: false },
    );
    expect(requests).toEqual([]);
    expect(result.mode).toBe("offline");
    expect(result.basis).toMatch(/name only/);
    expect(result.competitors.map((c) => [c.name, c.fetched.status, c.fetched.label, c.analysis.label])).toEqual([
      ["Invoicely", "not_fetched", "unknown", "simulation"],
      ["Billfast", "not_fetched", "unknown", "simulation"],
    ]);
    expect(result.competitors[0]?.analysis.pricing).toBe("unknown");
    expect(result.competitors[0]?.analysis.businessModel).toMatch(/name "Invoicely" only/);
    expect(result.gapAnalysis?.label).toBe("simulation");
    expect(teardownSummary(result)).toMatch(/^Competitor teardown \(offline: name only/);
  });

  it("online fetches each page through the tool policy, keeps its facts apart, and compares the competitors", async () => {
    requests = [];
    const result = await competitorTeardown(createOfflineAnalyst(), [`${base}/invoicely`, `${base}/billfast`], {
      toolbox: toolbox(),
      online: true,
    });
    expect(requests).toEqual(["/invoicely", "/billfast"]);
    expect(result.mode).toBe("online");
    const [invoicely, billfast] = result.competitors;
    expect(invoicely?.fetched).toMatchObject({
      status: "fetched",
      label: "fact",
      source: `${base}/invoicely`,
      title: "Invoicely — invoices for freelancers",
      pricingMentions: ["$12/month", "$49 per month", "Free trial"],
    });
    expect(billfast?.fetched.pricingMentions).toEqual(["€29/mo"]);
    expect(invoicely?.analysis.features).toEqual(["Invoices in seconds", "Recurring billing", "Pricing"]);
    expect(result.gapAnalysis?.gaps.length).toBeGreaterThan(0);
    for (const gap of result.gapAnalysis?.gaps ?? []) {
      expect(gap.missingFrom).toEqual([`${base}/invoicely`, `${base}/billfast`]);
    }
    const calls = await withRole(t.db, "eva_chairman", (trx) =>
      listCalls(trx as never, { agent: "competitor_teardown" }),
    );
    expect(calls.slice(0, 2).map((c) => [c.tool, c.ok, c.detail.url])).toEqual([
      ["fetch_url", true, `${base}/billfast`],
      ["fetch_url", true, `${base}/invoicely`],
    ]);
  });

  it("analyses a competitor whose page fails by its name, with the reason; one URL has no gap analysis", async () => {
    const result = await competitorTeardown(createOfflineAnalyst(), [`${base}/down`], {
      toolbox: toolbox(),
      online: true,
    });
    expect(result.competitors[0]?.fetched).toMatchObject({ status: "failed", label: "unknown" });
    expect(result.competitors[0]?.fetched.reason).toMatch(/HTTP 500/);
    expect(result.basis).toMatch(/0 of 1 pages fetched/);
    expect(result.gapAnalysis).toBeNull();
    expect(result.gapNote).toMatch(/two or more URLs/);
  });

  it("fetches nothing when the agent's tool profile refuses fetch_url, and says why", async () => {
    await withRole(t.db, "eva_chairman", (trx) => assignProfile(trx as never, "competitor_teardown", "minimal"));
    try {
      requests = [];
      const result = await competitorTeardown(createOfflineAnalyst(), [`${base}/invoicely`], {
        toolbox: toolbox(),
        online: true,
      });
      expect(requests).toEqual([]);
      expect(result.competitors[0]?.fetched.status).toBe("refused");
      expect(result.competitors[0]?.fetched.reason).toMatch(
        /competitor_teardown has the minimal profile, which does not allow fetch_url/,
      );
    } finally {
      await withRole(t.db, "eva_chairman", (trx) => assignProfile(trx as never, "competitor_teardown", "readonly"));
    }
  });

  it("gives a model the fetched page and labels its reading judgement", async () => {
    const url = `${base}/invoicely`;
    model.enqueue(
      reply.respond((body) => {
        const user = body.messages.find((m) => m.role === "user")?.content ?? "";
        expect(user).toContain("Prices on the page: $12/month, $49 per month, Free trial");
        return {
          competitors: [
            {
              url,
              businessModel: "Per-seat subscription for freelancers",
              features: ["invoices", "recurring billing"],
              pricing: "$12-$49 a month",
              positioning: "Speed",
              workComponents: ["invoice drafting"],
              automationPotential: 70,
            },
          ],
          gaps: [],
          opportunity: "Automatic reminders and reconciliation",
        };
      }),
    );
    const analyst = createOpenAIAnalyst({
      apiKey: "test",
      baseURL: model.baseURL,
      model: "teardown-model",
      maxRetries: 0,
    });
    const result = await competitorTeardown(analyst, [url], { toolbox: toolbox(), online: true });
    expect(result.competitors[0]?.analysis).toMatchObject({ label: "judgement", pricing: "$12-$49 a month" });
    expect(result.competitors[0]?.fetched.label).toBe("fact");
    expect(result.provenance.analyst).toBe("openai");
    expect(teardownAnalysisSchema.safeParse({ competitors: [], gaps: [], opportunity: "x" }).success).toBe(false);
  });

  it("reads EVA_URL_FETCH (default off) and finds prices verbatim", () => {
    expect(urlFetchEnabled({})).toBe(false);
    expect(urlFetchEnabled({ EVA_URL_FETCH: "on" })).toBe(true);
    expect(() => urlFetchEnabled({ EVA_URL_FETCH: "yes" })).toThrow(/must be on or off/);
    expect(pricingMentions("Basic $9/mo, Pro $29 per user, 99 EUR per year, no other numbers like 2024")).toEqual([
      "$9/mo",
      "$29 per user",
      "99 EUR per year",
    ]);
  });
});
