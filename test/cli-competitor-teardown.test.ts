// eva ideate --path competitor_teardown as the Chairman runs it: with
// EVA_URL_FETCH=on each competitor page is fetched through the
// competitor_teardown agent's tool policy (recorded), its facts and the gap
// analysis land in the brief beside the eight synthesis components; by default
// nothing is fetched and the brief says the URLs' names were all it had.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stageZeroBriefSchema } from "../src/ideation/contract.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";

const t = await createTestDatabase();
let site: Server;
let base: string;
let requests: string[] = [];

const PAGES: Record<string, string> = {
  "/invoicely": `<html><head><title>Invoicely — invoices for freelancers</title></head>
    <body><h1>Invoices in seconds</h1><h2>Recurring billing</h2><p>Solo $12/month, Team $49 per month.</p></body></html>`,
  "/billfast": `<html><head><title>BillFast</title></head>
    <body><h1>Billing for agencies</h1><h2>Time tracking</h2><p>From €29/mo per seat.</p></body></html>`,
};

beforeAll(async () => {
  site = createServer((req, res) => {
    requests.push(req.url ?? "");
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(PAGES[req.url ?? ""] ?? "<html><body>nothing</body></html>");
  });
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => site.close(resolve));
  await t.drop();
});

const fetchCalls = async () =>
  (
    await sql<{ tool: string; allowed: boolean }>`
      select tool, allowed from eva.tool_calls where agent = 'competitor_teardown' order by id`.execute(t.db)
  ).rows;

describe("eva ideate --path competitor_teardown", () => {
  it("fetches each page under the tool policy when EVA_URL_FETCH=on and puts facts and gaps in the brief", async () => {
    requests = [];
    const r = await runEva(
      [
        "ideate",
        "--path",
        "competitor_teardown",
        "--urls",
        `${base}/invoicely`,
        "--urls",
        `${base}/billfast`,
        "--json",
      ],
      { DATABASE_URL: t.url, EVA_URL_FETCH: "on", EVA_FETCH_ALLOW_PRIVATE: "on" },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/fetching 2 competitor page\(s\) through the fetch_url tool/);
    expect(requests.sort()).toEqual(["/billfast", "/invoicely"]);
    const out = JSON.parse(r.stdout);
    const brief = stageZeroBriefSchema.parse(out.brief);
    expect(Object.keys(brief.metadata.synthesis)).toEqual(
      expect.arrayContaining([
        "cross_reference",
        "portfolio_evaluation",
        "problem_reframing",
        "moat_architecture",
        "chairman_constraints",
        "time_horizon",
        "archetypes",
        "build_cost",
        "forecast",
      ]),
    );
    const teardown = out.teardown;
    expect(teardown.mode).toBe("online");
    expect(teardown.basis).toMatch(/2 pages fetched/);
    const invoicely = teardown.competitors.find((c: { url: string }) => c.url === `${base}/invoicely`);
    expect(invoicely.fetched).toMatchObject({ status: "fetched", label: "fact", source: `${base}/invoicely` });
    expect(invoicely.fetched.pricingMentions).toEqual(["$12/month", "$49 per month"]);
    expect(invoicely.analysis.label).toBe("simulation");
    expect(teardown.gapAnalysis.label).toBe("simulation");
    expect(teardown.gapAnalysis.gaps.length).toBeGreaterThan(0);
    expect(brief.metadata.teardown?.basis).toBe(teardown.basis);
    // The gap analysis is one more call of the brief, charged like the others.
    expect(out.provenance.map((p: { purpose: string }) => p.purpose)).toEqual(
      expect.arrayContaining(["path:competitor_teardown:gap_analysis", "path:competitor_teardown"]),
    );
    expect(await fetchCalls()).toEqual([
      { tool: "fetch_url", allowed: true },
      { tool: "fetch_url", allowed: true },
    ]);
  });

  it("fetches nothing by default and says the competitors were analysed by their names only", async () => {
    requests = [];
    const before = (await fetchCalls()).length;
    const r = await runEva(
      [
        "ideate",
        "--path",
        "competitor_teardown",
        "--urls",
        "https://www.invoicely.com",
        "--urls",
        "https://billfast.io",
      ],
      { DATABASE_URL: t.url, EVA_URL_FETCH: undefined, EVA_FETCH_ALLOW_PRIVATE: "on" },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(requests).toEqual([]);
    expect(r.stderr).toMatch(/URL fetching is off \(EVA_URL_FETCH=on turns it on\)/);
    expect(r.stdout).toMatch(/^teardown: +offline: name only/m);
    expect(r.stdout).toMatch(/^ {2}Invoicely: +not fetched: offline/m);
    expect(r.stdout).toMatch(/^ {2}Billfast: +not fetched: offline/m);
    expect(r.stdout).toMatch(/^gaps: +.+\[simulation\]$/m);
    expect((await fetchCalls()).length).toBe(before);
  });
});
