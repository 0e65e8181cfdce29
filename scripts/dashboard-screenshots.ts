// The README's dashboard screenshots (npm run dashboard:screenshots): EVA
// started as a new user starts it (`eva start`, which seeds the demo
// portfolio) on a temporary database (on DATABASE_URL's server, else an
// embedded PostgreSQL in a temporary folder), the printed sign-in link opened
// in headless Chromium, and the queue, a decision, the portfolio and a venture
// page saved as PNGs into docs/screenshots/ (the visible window only, to keep
// each file small). The database is dropped afterwards.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import type { Page } from "playwright-core";
import { projectRoot, withDatabase } from "../src/db/connection.ts";
import { startEmbedded } from "../src/db/embedded.ts";
import { launchBrowser } from "../test/helpers/browser.ts";

const OUT = join(projectRoot, "docs", "screenshots");
const MAX_BYTES = 200 * 1024;

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  let adminUrl: string;
  let stopServer = async () => {};
  if (process.env.DATABASE_URL) adminUrl = withDatabase(process.env.DATABASE_URL, "postgres");
  else {
    const dir = mkdtempSync(join(tmpdir(), "eva-screenshots-pg-"));
    const server = await startEmbedded(dir);
    adminUrl = server.adminUrl;
    stopServer = async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const database = `eva_screenshots_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${database}`);
  let eva: ChildProcess | undefined;
  const browser = await launchBrowser();
  try {
    let out = "";
    eva = spawn(process.execPath, [join(projectRoot, "bin", "eva.js"), "start", "--port", "0", "--quiet"], {
      env: {
        ...process.env,
        DATABASE_URL: withDatabase(adminUrl, database),
        EVA_ANALYST: "offline",
        EVA_JWT_SECRET: randomBytes(36).toString("base64url"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    eva.stdout?.on("data", (d) => {
      out += d;
    });
    eva.stderr?.on("data", (d) => {
      out += d;
    });
    const deadline = Date.now() + 180_000;
    while (!/Decide with:/.test(out)) {
      if (Date.now() > deadline || eva.exitCode !== null) throw new Error(`eva start did not report:\n${out}`);
      await sleep(200);
    }
    const link = /^Dashboard: (\S+)/m.exec(out)?.[1];
    if (!link) throw new Error(`eva start printed no dashboard link:\n${out}`);
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    const shot = async (name: string) => {
      const path = join(OUT, `${name}.png`);
      await page.screenshot({ path });
      const size = statSync(path).size;
      console.log(`${path}: ${Math.round(size / 1024)} KB`);
      if (size > MAX_BYTES) throw new Error(`${path} is over ${MAX_BYTES / 1024} KB`);
    };
    const go = async (path: string, ready: (p: Page) => Promise<unknown>) => {
      // The session stays in this tab's sessionStorage across the navigation.
      await page.goto(new URL(path, link).toString());
      await ready(page);
    };
    await page.goto(link);
    await page.locator("tr[data-decision]").first().waitFor();
    await shot("queue");
    // The decision: a brand approval when the queue holds one (the richest summary), else the most urgent.
    const rows = page.locator("tr[data-decision]");
    const brand = rows.filter({ hasText: "Brand approval" });
    const row = (await brand.count()) > 0 ? brand.first() : rows.first();
    const decision = await row.getAttribute("data-decision");
    await go(`/decisions/${decision}`, (p) => p.getByRole("button").nth(1).waitFor());
    await shot("decision");
    await go("/portfolio", (p) => p.locator('[data-testid="chart-rates"] canvas').waitFor());
    await shot("portfolio");
    // The venture with the most stages behind it.
    const heat = page.locator("table.heatmap tbody tr");
    let venture = "";
    let furthest = -1;
    for (let i = 0; i < (await heat.count()); i++) {
      const stage = Number(await heat.nth(i).locator("td").nth(1).innerText());
      if (stage > furthest) {
        furthest = stage;
        venture = (await heat.nth(i).locator("a").getAttribute("href")) ?? "";
      }
    }
    await go(venture, (p) => p.getByRole("heading", { name: "Artifacts" }).waitFor());
    // Its brand package when it has one (else its latest artifact) opened, the Artifacts heading at the top of the window.
    const artifacts = page.getByTestId("artifact");
    const named = artifacts.filter({ hasText: "Brand package" });
    const artifact = (await named.count()) > 0 ? named.first() : artifacts.last();
    await artifact.locator("summary").click();
    await page
      .getByRole("heading", { name: "Artifacts", exact: true })
      .evaluate((e) => e.scrollIntoView({ block: "start" }));
    await shot("venture");
    await context.close();
  } finally {
    await browser.close();
    if (eva && eva.exitCode === null) {
      const exited = new Promise((resolve) => eva?.once("exit", resolve));
      eva.kill("SIGINT");
      await exited;
    }
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
    await stopServer();
  }
}

await main();
