// The venture page's bandit arms in a real browser (Chromium against the API
// server on a real database): the Chairman signs in with a token and reads
// each arm's scope, status, observations, posterior mean and 95 % interval;
// the page passes axe-core with no serious violation.
import { sql } from "kysely";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { buildWeb } from "../graphql/web-build.ts";
import { issueToken } from "../src/auth/tokens.ts";
import { launchBrowser, screenshot, seriousAxeViolations } from "./helpers/browser.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
const secret = new TextEncoder().encode("a-secret-for-the-bandit-dashboard-test-32+");
let api: ApiServer;
let browser: Browser;

beforeAll(async () => {
  await buildWeb();
  api = await startApiServer({ url: t.url, port: 0, secret });
  browser = await launchBrowser();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await api?.close();
  await t.drop();
});

it("shows the venture's arms with posterior mean and 95 % interval", async () => {
  const v = await createVenture(t.db, { name: "Bandit Dashboard Venture" });
  const { rows } = await sql<{ id: string }>`
    select marketing.fn_bandit_ensure(${v.id}::uuid, 'channel', '', '{x,linkedin}') as id`.execute(t.service);
  await sql`update marketing.bandit_arms set alpha = 10, beta_param = 20, observations = 120, status = 'champion'
    where bandit_id = ${rows[0]?.id}::uuid and arm_value = 'x'`.execute(t.db);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const { token } = await issueToken("chairman", 3600, { secret });
  await page.goto(api.dashboardUrl);
  await page.getByLabel("Token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("role").waitFor();
  // The venture page reads its arms with the rest of the page: one GraphQL request.
  const queries: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && new URL(r.url()).pathname === "/graphql") queries.push(r.postData() ?? "");
  });
  await page.goto(new URL(`/ventures/${v.id}`, api.dashboardUrl).toString());
  const table = page.getByTestId("bandit-arms");
  await table.waitFor({ timeout: 30_000 });
  await page.getByRole("heading", { name: "All artifact versions" }).waitFor();
  expect(queries).toHaveLength(1);
  expect(queries[0]).toContain("banditArmsAt");
  const cells = await table
    .locator("tbody tr")
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent?.trim() ?? "")));
  // linkedin (Beta(1, 1), mean 50 %) ranks above x (Beta(10, 20), mean 33.3 %, interval 17.9 %–50.8 %).
  expect(cells.map((c) => c.slice(0, 6))).toEqual([
    ["Channel", "linkedin", "challenger", "0", "50.0%", "2.5% – 97.5%"],
    ["Channel", "x", "champion", "120", "33.3%", "17.9% – 50.8%"],
  ]);
  expect(await seriousAxeViolations(page)).toEqual([]);
  await screenshot(page, "dashboard-venture-bandits");
  await context.close();
}, 120_000);
