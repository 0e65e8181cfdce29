// The Chairman's dashboard in a real browser (issue 11, point 6): Chromium
// against `eva start` on a real database. The Chairman signs in with the
// printed link, sees the ranked queue with its reasons, opens a brand approval
// and a DFE escalation, reads their summaries and decides both with one click
// while a second tab's queue updates without reloading; a stale decision is
// refused with its reason; a decision made elsewhere (the CLI) shows up in an
// open page; a viewer cannot decide; no token, no data; sign-out ends the
// session; the portfolio and venture pages show their data. Every page passes axe-core with no serious violation, and the
// strict Content-Security-Policy holds (no violation reported).
import { type ChildProcess, spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueToken } from "../src/auth/tokens.ts";
import { withRole } from "../src/db/client.ts";
import { launchBrowser, screenshot, seriousAxeViolations } from "./helpers/browser.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture, openEscalation, walkToDecision } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
const SECRET = "a-secret-for-the-dashboard-browser-test-32+";
const secret = new TextEncoder().encode(SECRET);

const BRAND = {
  ranking: [
    { name: "Harbor", rank: 1, weightedTotal: 77.5 },
    { name: "Ledgerly", rank: 2, weightedTotal: 71.2 },
  ],
  decision: { selectedName: "Harbor", workingTitle: true, rationale: "Harbor has the best weighted total (77.5)." },
  candidates: [
    { name: "Harbor", scores: { memorability: 82, relevance: 66 } },
    { name: "Ledgerly", scores: { memorability: 70, relevance: 80 } },
  ],
  selectedRank: 1,
  brandGenome: {
    tone: "plain-spoken and calm",
    archetype: "sage",
    audience: "small accounting firms",
    values: ["Clarity"],
  },
  narrativeExtension: {
    vision: "No accountant matches invoices by hand again.",
    mission: "Reconcile every invoice automatically.",
    brandVoice: "Calm, exact and brief.",
  },
  scoringCriteria: [
    { name: "memorability", weight: 50 },
    { name: "relevance", weight: 50 },
  ],
};

const COST_TRIGGER = {
  output: "PRESENT_TO_CHAIRMAN_WITH_MITIGATIONS",
  triggers: [
    {
      type: "cost_threshold",
      value: 80000,
      threshold: 50000,
      detail: "the vendor plan is 80,000 a month, above the 50,000 threshold",
    },
  ],
  mitigations: ["Phase the spend: commit up to 50,000 a month now and the rest at the next gate"],
  thresholds: { cost_threshold: { raw: "50000", value: 50000, source: "global" } },
};

let eva: ChildProcess;
let evaOut = "";
let dashboardLink = "";
let graphqlUrl = "";
let browser: Browser;
const contexts: BrowserContext[] = [];
const cspViolations: string[] = [];
const failedLoads: string[] = [];
const ids = { brand: "", stale: "", dfe: "", elsewhere: "" };
const names = { brand: "", stale: "", dfe: "", elsewhere: "" };

async function newPage(): Promise<Page> {
  // A context per tab: its own sessionStorage, as separate browser windows have.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    // What the browser fetches by itself (pages, assets, the page's icon, which no response event reports) is
    // there: only the API may answer with an error, and the browser logs no failed load of the API's POSTs.
    if (/Failed to load resource/i.test(message.text()) && !/\/graphql|\/sign-in/.test(message.location().url))
      failedLoads.push(`${message.text()} (${message.location().url})`);
  });
  page.on("response", (response) => {
    if (response.request().method() === "GET" && response.status() >= 400)
      failedLoads.push(`${response.status()} ${new URL(response.url()).pathname}`);
  });
  return page;
}

async function signInWithToken(page: Page, role: "chairman" | "viewer"): Promise<string> {
  const { token } = await issueToken(role, 3600, { secret });
  await page.goto(new URL("/", dashboardLink).toString());
  await page.getByLabel("Token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("role").waitFor();
  return token;
}

// The feed lists an event once every older transaction on the server has ended (its gap-free rule; the snapshot's
// xmin is server-wide): another database's long transaction on a shared server can hold it back for a while.
const FEED_WAIT = 60_000;

const queueRow = (page: Page, id: string) => page.locator(`tr[data-decision="${id}"]`);

beforeAll(async () => {
  for (const key of ["brand", "stale"] as const) {
    const v = await createVenture(t.db);
    names[key] = v.name;
    ids[key] = (await walkToDecision(t.db, v.id, 10, { 10: BRAND })) ?? "";
  }
  for (const key of ["dfe", "elsewhere"] as const) {
    const opened = await openEscalation(t.db, t.service, {
      action: "escalate",
      recommendedAction: "proceed",
      dfe: COST_TRIGGER,
    });
    names[key] = opened.name;
    ids[key] = opened.decisionId;
  }
  expect(Object.values(ids).every(Boolean)).toBe(true);
  // The stale brand's venture waits on the last escalated venture (which stays at Stage 1: it gets blocked) reaching
  // Stage 20: a hard edge on the critical path. (The approved brand venture runs on and may be killed: not a provider.)
  const ventureOf = async (id: string) =>
    (await t.db.selectFrom("chairman_decisions").select("venture_id").where("id", "=", id).executeTakeFirstOrThrow())
      .venture_id;
  const [dependent, provider] = [await ventureOf(ids.stale), await ventureOf(ids.elsewhere)];
  await withRole(t.db, "eva_chairman", (trx) =>
    sql`select eva.fn_add_venture_dependency(${dependent}::uuid, ${provider}::uuid, 20, 'hard')`.execute(trx),
  );
  // And a soft edge the provider already meets (Stage 1): drawn, not on the critical path.
  const softDependent = await ventureOf(ids.dfe);
  await withRole(t.db, "eva_chairman", (trx) =>
    sql`select eva.fn_add_venture_dependency(${softDependent}::uuid, ${provider}::uuid, 1, 'soft')`.execute(trx),
  );
  // The Chairman sets one venture's cadence: its health checks come onto the schedule.
  await withRole(t.db, "eva_chairman", (trx) =>
    sql`select eva.fn_set_venture_cadence(${provider}::uuid, null, null, interval '6 hours', 'watch it closely')`.execute(
      trx,
    ),
  );

  eva = spawn(process.execPath, ["bin/eva.js", "start", "--no-seed", "--port", "0", "--quiet"], {
    env: { ...process.env, DATABASE_URL: t.url, EVA_ANALYST: "offline", EVA_JWT_SECRET: SECRET },
    stdio: ["ignore", "pipe", "pipe"],
  });
  eva.stdout?.on("data", (d) => {
    evaOut += d;
  });
  eva.stderr?.on("data", (d) => {
    evaOut += d;
  });
  const deadline = Date.now() + 60_000;
  while (!/Decide with:/.test(evaOut)) {
    if (Date.now() > deadline || eva.exitCode !== null) throw new Error(`eva start did not report:\n${evaOut}`);
    await sleep(100);
  }
  dashboardLink = /^Dashboard: (\S+)/m.exec(evaOut)?.[1] ?? "";
  graphqlUrl = /^GraphQL:\s+(\S+)/m.exec(evaOut)?.[1] ?? "";
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  if (eva && eva.exitCode === null) {
    const exited = new Promise((resolve) => eva.once("exit", resolve));
    eva.kill("SIGINT");
    await exited;
  }
  await t.drop();
}, 60_000);

describe("the Chairman's dashboard in Chromium", () => {
  let queue: Page;

  it("signs the Chairman in with the printed link, drops the code from the address bar and shows the ranked queue with reasons", async () => {
    expect(dashboardLink).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#code=[\w-]{32}$/);
    queue = await newPage();
    await queue.goto(dashboardLink);
    await queue.getByRole("heading", { name: "Decision queue" }).waitFor();
    await queueRow(queue, ids.brand).waitFor();
    // Marks this document: a reload would lose it.
    await queue.evaluate(() => {
      (globalThis as unknown as { noReload: boolean }).noReload = true;
    });
    // The code is gone from the URL and the token kept for this tab only, never in a cookie.
    expect(queue.url()).not.toContain("code=");
    expect(await queue.evaluate(() => sessionStorage.getItem("eva.session"))).toMatch(/^eyJ/);
    expect(await queue.context().cookies()).toEqual([]);
    await expect(queue.getByTestId("role").textContent()).resolves.toContain("the Chairman");
    const brandRow = await queueRow(queue, ids.brand).innerText();
    expect(brandRow).toContain(names.brand);
    expect(brandRow).toContain("Brand approval");
    expect(brandRow).toContain('the proposed name is "Harbor"');
    const dfeRow = await queueRow(queue, ids.dfe).innerText();
    expect(dfeRow).toContain("DFE escalation");
    expect(dfeRow).toContain("80,000 a month, above the 50,000 threshold");
    expect(dfeRow).toMatch(/proceed$/);
    expect(await queue.locator("tbody tr").count()).toBe(4);
    await expect(queue.getByTestId("queue-count").textContent()).resolves.toMatch(/^4 pending; most urgent first/);
    // The link was used once: a second browser cannot sign in with it.
    const again = await newPage();
    await again.goto(dashboardLink);
    await again.getByRole("alert").waitFor();
    await expect(again.getByRole("alert").textContent()).resolves.toContain("already used");
    await screenshot(queue, "dashboard-queue");
    expect(await seriousAxeViolations(queue)).toEqual([]);
  }, 60_000);

  it("opens the brand approval readably, approves it in one click, and the other tab's queue drops it without reloading", async () => {
    const detail = await newPage();
    await signInWithToken(detail, "chairman");
    await detail.goto(new URL(`/decisions/${ids.brand}`, dashboardLink).toString());
    await detail.getByRole("heading", { name: "Proposed name" }).waitFor();
    const text = await detail.locator("main").innerText();
    expect(text).toContain("Harbor (rank 1 of 2), a working title until you confirm it");
    expect(text).toContain("1. Harbor: 77.5 (memorability 82, relevance 66)");
    expect(text).toContain("Voice: Calm, exact and brief.");
    expect(text).toContain("Vision: No accountant matches invoices by hand again.");
    expect(text).toContain("Run Stage 10 (the brand) again, with your notes as the reason.");
    await screenshot(detail, "dashboard-brand-approval");
    expect(await seriousAxeViolations(detail)).toEqual([]);
    await detail.getByLabel(/Notes/).fill("Harbor it is");
    await detail.getByRole("button", { name: "approve" }).click();
    await detail.getByTestId("decision-status").filter({ hasText: "decided: approve" }).waitFor();
    // The venture moved on: the page re-read it after the decision.
    await detail
      .getByText(/Stage 1[1-9]/)
      .first()
      .waitFor();
    await queueRow(queue, ids.brand).waitFor({ state: "detached", timeout: 15_000 });
    expect(await queue.evaluate(() => (globalThis as unknown as { noReload?: boolean }).noReload)).toBe(true);
    // The other decisions are still there (the worker, now running the approved venture, may add new ones).
    for (const id of [ids.stale, ids.dfe, ids.elsewhere]) expect(await queueRow(queue, id).count()).toBe(1);
  }, 60_000);

  it("explains the DFE escalation's trigger with its figure, threshold and mitigation, and proceeds in one click", async () => {
    await queue.locator(`tr[data-decision="${ids.dfe}"] a`).click();
    await queue.getByRole("heading", { name: "Trigger: cost_threshold" }).waitFor();
    const text = await queue.locator("main").innerText();
    expect(text).toContain("A cost is above the spending threshold the Chairman set.");
    expect(text).toContain("Figure: 80000");
    expect(text).toContain("Threshold: 50000");
    expect(text).toContain("Preference cost_threshold = 50000 (global)");
    expect(text).toContain("Phase the spend: commit up to 50,000 a month now and the rest at the next gate");
    expect(text).toContain("Block the venture at Stage 1 until you release it.");
    await screenshot(queue, "dashboard-dfe-escalation");
    expect(await seriousAxeViolations(queue)).toEqual([]);
    await queue.getByRole("button", { name: "proceed" }).click();
    await queue.getByTestId("decision-status").filter({ hasText: "decided: proceed" }).waitFor();
    await queue.getByRole("link", { name: "← Decision queue" }).click();
    await queueRow(queue, ids.stale).waitFor();
    expect(await queueRow(queue, ids.dfe).count()).toBe(0);
    expect(await queueRow(queue, ids.brand).count()).toBe(0);
    expect(await queue.evaluate(() => (globalThis as unknown as { noReload?: boolean }).noReload)).toBe(true);
  }, 60_000);

  it("refuses a stale decision with the reason, and shows a decision made elsewhere without reloading", async () => {
    const page = await newPage();
    await signInWithToken(page, "chairman");
    await page.goto(new URL(`/decisions/${ids.stale}`, dashboardLink).toString());
    await page.getByRole("heading", { name: "Proposed name" }).waitFor();
    // A newer brand package is recorded after the decision was prepared.
    const v = await t.db
      .selectFrom("chairman_decisions")
      .select("venture_id")
      .where("id", "=", ids.stale)
      .executeTakeFirstOrThrow();
    await sql`insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, quality_score, epistemic_classification)
      values (${v.venture_id}::uuid, 10, 'brand_package', ${JSON.stringify(BRAND)}::jsonb, 80, 'simulation')`.execute(
      t.db,
    );
    await page.getByRole("button", { name: "approve" }).click();
    const refusal = page.getByTestId("refusal");
    await refusal.waitFor();
    expect(await refusal.innerText()).toMatch(/EV428.*stale.*version 1, the current version is 2/s);
    await screenshot(page, "dashboard-stale-refused");

    await page.goto(new URL(`/decisions/${ids.elsewhere}`, dashboardLink).toString());
    await page.getByRole("heading", { name: "Trigger: cost_threshold" }).waitFor();
    await page.evaluate(() => {
      (globalThis as unknown as { noReload: boolean }).noReload = true;
    });
    const cli = await runEva(["decisions", "decide", ids.elsewhere, "block", "--notes", "not now"], {
      DATABASE_URL: t.url,
    });
    expect(cli.code, cli.stderr).toBe(0);
    await page.getByTestId("decision-status").filter({ hasText: "decided: block" }).waitFor({ timeout: 15_000 });
    expect(await page.getByRole("button", { name: "proceed" }).count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { noReload?: boolean }).noReload)).toBe(true);
  }, 60_000);

  it("shows the portfolio's vital signs and health heatmap, and a venture's timeline and artifact versions", async () => {
    await queue.getByRole("link", { name: "Portfolio" }).click();
    await queue.getByRole("heading", { name: "Health heatmap" }).waitFor();
    const text = await queue.locator("main").innerText();
    expect(text).toMatch(/Ventures\s+4 \(/);
    expect(text).toContain("AUTO_PROCEED rate");
    expect(await queue.locator("table.heatmap tbody tr").count()).toBe(4);
    // The vital signs over time: four charts drawn (a canvas each), each with its table of the 12 periods, every
    // cell a figure or "no data" (a gap), never an invented point.
    for (const chart of ["rates", "cycle", "auto", "revenue"]) {
      await queue.locator(`[data-testid="chart-${chart}"] canvas`).first().waitFor();
      // The table sits in a closed <details> (one click opens it): read its text as a screen reader would.
      const table = queue.getByTestId(`chart-${chart}-table`);
      expect(await table.locator("tbody tr").count()).toBe(12);
      for (const cell of await table.locator("tbody td").allTextContents())
        expect(cell).toMatch(/^(no data|[\d.,]+(%| days)?)$/);
    }
    // Nothing reported revenue here: every revenue cell is missing, said so.
    expect(await queue.getByTestId("chart-revenue-table").locator("tbody td").allTextContents()).toEqual(
      Array(12).fill("no data"),
    );
    // The first period holds the escalations' DFE evaluations.
    const auto = (await queue.getByTestId("chart-auto-table").locator("tbody td").first().textContent()) ?? "";
    expect(auto).toMatch(/\d+\.\d%$/);
    await screenshot(queue, "dashboard-portfolio");
    expect(await seriousAxeViolations(queue)).toEqual([]);
    // A Stage 25 Assumptions vs Reality report in two versions (the second a simulation), for the venture page.
    const brandVenture = (
      await t.db
        .selectFrom("chairman_decisions")
        .select("venture_id")
        .where("id", "=", ids.brand)
        .executeTakeFirstOrThrow()
    ).venture_id;
    const report = (opsCycle: number, items: object[]) =>
      JSON.stringify({
        opsCycle,
        sources: [{ stage: 24, artifactType: "launch_scorecard", version: opsCycle }],
        rules: ["see src/stages/assumptions-reality.ts"],
        items,
        summary: { validated: 1, invalidated: items.length > 1 ? 1 : 0, inconclusive: items.length > 2 ? 1 : 0 },
        assumptionErrorRate: items.length > 1 ? 0.5 : 0,
      });
    const item = (
      id: string,
      statement: string,
      expected: number | null,
      actual: number | null,
      variancePct: number | null,
      classification: string,
    ) => ({
      id,
      kind: expected === null ? "assumption" : "projection",
      source: expected === null ? "Stage 1" : "Stage 5",
      statement,
      expected,
      actual,
      variancePct,
      evidence: actual === null ? [] : ["MRR"],
      classification,
      reason: `${classification} by the rules`,
    });
    for (const [opsCycle, items, klass] of [
      [1, [item("p1", "Monthly revenue", 10000, 9000, -10, "validated")], "fact"],
      [
        2,
        [
          item("p1", "Monthly revenue", 10000, 12000, 20, "validated"),
          item("p2", "Customer acquisition cost", 200, 320, 60, "invalidated"),
          item("a1", "Accountants want automatic matching", null, null, null, "inconclusive"),
        ],
        "simulation",
      ],
    ] as const)
      await sql`insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, epistemic_classification)
        values (${brandVenture}::uuid, 25, 'assumptions_reality_report', ${report(opsCycle, [...items])}::jsonb, ${klass})`.execute(
        t.db,
      );
    await queue.getByRole("link", { name: names.brand }).click();
    await queue.getByRole("heading", { name: "Stage timeline" }).waitFor();
    expect(await queue.getByTestId("venture-status").innerText()).toMatch(/Stage (1[1-9]|2\d)/);
    const venture = await queue.locator("main").innerText();
    expect(venture).toMatch(/Stage 9 → 10/);
    expect(venture).toContain("brand_package");
    expect(venture).toMatch(/Brand approval at Stage 10\s*: decided \(approve\)/);
    // Assumptions vs Reality: the current (second) report as a chart with its table; the unmeasured item has no bar
    // and says so; the report is labelled a simulation.
    await queue.locator('[data-testid="chart-avr"] canvas').first().waitFor();
    expect(await queue.getByTestId("avr-summary").innerText()).toMatch(
      /1 validated, 1 invalidated, 1 inconclusive.*50\.0%/,
    );
    expect(await queue.getByTestId("chart-avr").innerText()).toContain("(simulation)");
    await queue.getByTestId("chart-avr").locator("summary").click();
    expect(await queue.getByTestId("chart-avr-table").locator("tbody tr").allInnerTexts()).toEqual([
      "1. Monthly revenue\t+20.0%",
      "2. Customer acquisition cost\t+60.0%",
      "3. Accountants want automatic matching\tno data",
    ]);
    const items = await queue.getByTestId("avr-items").locator("tbody tr").allInnerTexts();
    expect(items[2]).toMatch(/Accountants want automatic matching.*not measured.*inconclusive/);
    // Artifacts are readable: the brand package's fields as words, not JSON, with its evidence class.
    const brand = queue.getByTestId("artifact").filter({ hasText: "Stage 10: Brand package" });
    await brand.locator("summary").click();
    const brandText = await brand.innerText();
    expect(brandText).toMatch(/Selected name\s+Harbor/);
    expect(brandText).toMatch(/Brand voice\s+Calm, exact and brief\./);
    expect(brandText).not.toContain('"selectedName"');
    expect(await brand.getByTestId("epistemic").first().innerText()).toMatch(/^(Fact|Assumption|Simulation|Unknown): /);
    // Version history: the report's first version, one click away, and back.
    const avr = queue.getByTestId("artifact").filter({ hasText: "Stage 25: Assumptions reality report" });
    await avr.locator("summary").click();
    expect(await avr.innerText()).toMatch(/Version 2 \(current\).*Simulation: computed from a model/s);
    await avr.getByRole("button", { name: "v1", exact: true }).click();
    expect(await avr.innerText()).toMatch(/Version 1 \(superseded\).*Fact: measured or observed.*Ops cycle\s+1/s);
    expect(await avr.getByRole("button", { name: "v1", exact: true }).getAttribute("aria-pressed")).toBe("true");
    await screenshot(queue, "dashboard-venture");
    expect(await seriousAxeViolations(queue)).toEqual([]);
    // The dependency graph: both edges drawn by the layout, from the provider's box to the dependent's, the hard one
    // on the critical path; every edge listed.
    await queue.getByRole("link", { name: "Dependencies" }).click();
    await queue.getByRole("heading", { name: "Dependency graph" }).waitFor();
    await queue.locator("svg.graph polyline.edge").first().waitFor();
    const listed = await queue
      .locator("tbody tr[data-dependency]")
      .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-dependency")));
    expect(listed).toHaveLength(2);
    const drawn = await queue.locator("svg.graph polyline.edge").evaluateAll((lines) =>
      lines.map((line) => {
        type Box = { x: number; y: number; width: number; height: number };
        const box = (id: string | null) =>
          (
            line.closest("svg")?.querySelector(`g[data-venture="${id}"] rect`) as unknown as { getBBox(): Box } | null
          )?.getBBox() ?? null;
        const points = Array.from((line as unknown as { points: Iterable<{ x: number; y: number }> }).points, (p) => ({
          x: p.x,
          y: p.y,
        }));
        // An end touches a box when it lies on or within it (2px of slack for the layout's rounding).
        const touches = (p: { x: number; y: number } | undefined, b: Box | null) =>
          !!p && !!b && p.x >= b.x - 2 && p.x <= b.x + b.width + 2 && p.y >= b.y - 2 && p.y <= b.y + b.height + 2;
        return {
          id: line.getAttribute("data-dependency"),
          critical: line.classList.contains("critical"),
          fromProvider: touches(points[0], box(line.getAttribute("data-from"))),
          toDependent: touches(points.at(-1), box(line.getAttribute("data-to"))),
        };
      }),
    );
    expect(drawn.map((d) => d.id).sort(), await queue.locator("main").innerText()).toEqual([...listed].sort());
    expect(
      drawn.every((d) => d.fromProvider && d.toDependent),
      JSON.stringify(drawn),
    ).toBe(true);
    expect(drawn.filter((d) => d.critical)).toHaveLength(1);
    // Three ventures, each drawn once though the provider has two edges.
    expect(await queue.locator("svg.graph g[data-venture]").count()).toBe(3);
    expect(await queue.locator("tr.critical").innerText()).toMatch(
      new RegExp(`${names.stale}.*${names.elsewhere}.*20.*hard.*yes, \\d+ stages behind`, "s"),
    );
    await screenshot(queue, "dashboard-dependencies");
    expect(await seriousAxeViolations(queue)).toEqual([]);
    // The inbox: each decision requested above notified the Chairman, linking to its page.
    await queue.getByRole("link", { name: "Notifications" }).click();
    await queue.locator(`a[href="/decisions/${ids.stale}"]`).first().waitFor();
    await screenshot(queue, "dashboard-notifications");
    expect(await seriousAxeViolations(queue)).toEqual([]);
    // The schedule: the health checks of the venture whose cadence the Chairman set, on the scheduler's clock.
    await queue.getByRole("link", { name: "Schedule" }).click();
    await queue.getByRole("heading", { name: "Schedule" }).waitFor();
    const due = queue.locator("tbody tr").filter({ hasText: names.elsewhere }).filter({ hasText: "health check" });
    await due
      .first()
      .waitFor({ timeout: 10_000 })
      .catch(async () => {
        throw new Error(
          `no health check for ${names.brand} on the schedule:\n${await queue.locator("main").innerText()}`,
        );
      });
    expect(await due.first().innerText()).toContain("every 6 h (set by the Chairman)");
    expect(await seriousAxeViolations(queue)).toEqual([]);
    expect(await queue.evaluate(() => (globalThis as unknown as { noReload?: boolean }).noReload)).toBe(true);
  }, 60_000);

  it(
    "follows the event feed live and, after the connection drops, resumes from its cursor without losing an event",
    async () => {
      await queue.getByRole("link", { name: "Events" }).click();
      await queue.getByRole("heading", { name: "Event feed" }).waitFor({ timeout: FEED_WAIT });
      await queue.locator(".live.on").waitFor({ timeout: FEED_WAIT });
      // The decisions made above are in the recent feed.
      expect(await queue.locator("ol.feed").innerText()).toContain(
        "the Chairman decided approve on the brand approval at Stage 10",
      );
      const venture = await t.db
        .selectFrom("ventures")
        .select("id")
        .where("name", "=", names.dfe)
        .executeTakeFirstOrThrow();
      const log = async (what: string) => {
        await sql`select eva_private.fn_log_event('venture.note', ${venture.id}::uuid, ${JSON.stringify({ reason: what })}::jsonb)`.execute(
          t.db,
        );
      };
      await log("logged while the page was live");
      await queue.getByText("note: logged while the page was live").waitFor({ timeout: FEED_WAIT });
      await queue.context().setOffline(true);
      await queue.getByText("reconnecting…").waitFor({ timeout: 15_000 });
      await log("logged while the browser was offline");
      await queue.context().setOffline(false);
      await queue.getByText("note: logged while the browser was offline").waitFor({ timeout: FEED_WAIT });
      await log("logged after the reconnect");
      await queue.getByText("note: logged after the reconnect").waitFor({ timeout: FEED_WAIT });
      for (const what of ["while the page was live", "while the browser was offline", "after the reconnect"]) {
        expect(await queue.getByText(`note: logged ${what}`).count()).toBe(1);
      }
      // A reason that begins with what happened ("killed at stage 3: …") is said once, not after "killed: " again.
      await log("note at stage 3: said once");
      await queue.getByText("note at stage 3: said once").waitFor({ timeout: FEED_WAIT });
      expect(await queue.locator("ol.feed").innerText()).not.toContain("note: note at stage 3");
      await screenshot(queue, "dashboard-events");
      expect(await seriousAxeViolations(queue)).toEqual([]);
    },
    4 * FEED_WAIT,
  );

  it("shows a viewer the pages read-only: no decisions, no decide button, and the API refuses a decide", async () => {
    const page = await newPage();
    const token = await signInWithToken(page, "viewer");
    await expect(page.getByTestId("role").textContent()).resolves.toContain("viewer");
    await page.getByText("Decisions are the Chairman's").waitFor();
    expect(await page.locator("table").count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.goto(new URL(`/decisions/${ids.stale}`, dashboardLink).toString());
    await page.getByText(/a viewer sees none/).waitFor();
    expect(await page.getByRole("button", { name: /approve|revise|reject/ }).count()).toBe(0);
    await screenshot(page, "dashboard-viewer");
    // The pages RLS lets a viewer read work for one.
    await page.getByRole("link", { name: "Portfolio" }).click();
    await page.locator("table.heatmap tbody tr").first().waitFor();
    await page.getByRole("link", { name: "Events" }).click();
    await page.locator("ol.feed li").first().waitFor();
    expect(await page.locator("ol.feed").innerText()).not.toContain("chairman.");
    const refused = await fetch(graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: `mutation { decide(input: { pDecisionId: "${ids.stale}", pDecision: "approve" }) { result { status } } }`,
      }),
    });
    const body = (await refused.json()) as { errors?: { message: string }[] };
    expect(body.errors?.[0]?.message).toMatch(/permission denied|only the Chairman/);
  }, 60_000);

  it("asks for sign-in without a token and reads no data; sign-out revokes the Chairman's session", async () => {
    const page = await newPage();
    const graphqlRequests: string[] = [];
    page.on("request", (r) => {
      if (new URL(r.url()).pathname.startsWith("/graphql")) graphqlRequests.push(r.url());
    });
    await page.goto(new URL(`/decisions/${ids.stale}`, dashboardLink).toString());
    await page.getByRole("heading", { name: "Sign in to EVA" }).waitFor();
    expect(graphqlRequests).toEqual([]);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, "dashboard-sign-in");

    const token = await signInWithToken(page, "chairman");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to EVA" }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem("eva.session"))).toBeNull();
    const after = await fetch(graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: "{ allDecisionQueues { totalCount } }" }),
    });
    expect(after.status).toBe(401);
  }, 60_000);

  it("lists a large portfolio's weakest 100 ventures in the heatmap, and all of them on request", async () => {
    // 110 more ventures, written past the triggers (replica role) so that no stage runs for them: nothing is
    // known of their health, so the heatmap (weakest first) lists them first.
    await t.db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`insert into eva.ventures (name, description, problem_statement, value_prop, target_market, archetype, priority_base)
        select 'Quiet venture ' || i, 'A venture created only to fill the heatmap of the dashboard test, never run.',
          'Nobody has measured it yet.', 'Nothing to offer but a row.', 'test portfolios', 'saas', 0
        from generate_series(1, 110) i`.execute(trx);
    });
    const page = await newPage();
    await signInWithToken(page, "chairman");
    await page.getByRole("link", { name: "Portfolio" }).click();
    const rows = page.locator("table.heatmap tbody tr");
    await rows.first().waitFor();
    expect(await rows.count()).toBe(100);
    await page.getByText("The weakest 100 of 114 ventures.").waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Show all 114" }).click();
    await rows.nth(113).waitFor();
    expect(await rows.count()).toBe(114);
    expect(await page.getByRole("button", { name: /Show all/ }).count()).toBe(0);
  }, 60_000);

  it("lists the first 100 of a long decision queue, and all of them on request", async () => {
    // A weekly, non-blocking venture-future decision for each quiet venture (past the triggers, as above): they
    // rank after the pending ones the other tests left.
    const before = Number(
      (
        await sql<{ n: string }>`select count(*) as n from eva.chairman_decisions where status = 'pending'`.execute(
          t.db,
        )
      ).rows[0]?.n,
    );
    await t.db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`insert into eva.chairman_decisions
          (venture_id, lifecycle_stage, decision_type, recommended_action, urgency, blocking, venture_name, reason)
        select id, 25, 'venture_future', 'continue', 'weekly', false, name, 'Stage 25 review: a quiet venture'
        from eva.ventures where name like 'Quiet venture %'`.execute(trx);
    });
    const total = before + 110;
    const page = await newPage();
    await signInWithToken(page, "chairman");
    const rows = page.locator("table.queue tbody tr");
    await rows.first().waitFor();
    expect(await rows.count()).toBe(100);
    expect(await page.getByTestId("queue-count").innerText()).toContain(`${total} pending, the first 100 shown`);
    await page.getByRole("button", { name: `Show all ${total}` }).click();
    await rows.nth(total - 1).waitFor();
    expect(await rows.count()).toBe(total);
    expect(await seriousAxeViolations(page)).toEqual([]);
  }, 60_000);

  it("kept the Content-Security-Policy: no page reported a violation, and no page or asset failed to load", () => {
    expect(cspViolations).toEqual([]);
    expect(failedLoads).toEqual([]);
    expect(evaOut).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
  });
});
