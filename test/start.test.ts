// The main job as a newcomer runs it: `eva start` seeds the demo portfolio,
// runs it, prints the Chairman's queue, the GraphQL URL and a one-time sign-in
// link (never a token), and serves; a decision made through the API with the
// token that link answers resumes the venture in the same process; Ctrl-C
// stops everything.
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import { afterAll, expect, it } from "vitest";
import { createTestDatabase } from "./helpers/database.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

it("npm start: a portfolio runs, and a decision made through GraphQL with the sign-in link's token resumes its venture", async () => {
  const child = spawn(process.execPath, ["bin/eva.js", "start", "--port", "0"], {
    env: {
      ...process.env,
      DATABASE_URL: t.url,
      EVA_ANALYST: "offline",
      EVA_JWT_SECRET: "a-secret-for-the-start-test-of-at-least-32-chars",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    const deadline = Date.now() + 90_000;
    while (!/Decide with:/.test(stdout)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`eva start did not report:\n${stderr}`);
      await sleep(100);
    }
    expect(stderr).toContain("first run: seeding a demo portfolio");
    expect(stdout).toMatch(/ventures:\s+12/);
    const graphql = /GraphQL:\s+(\S+)/.exec(stdout)?.[1] ?? "";
    // No token on the screen: a link whose one-time code the API exchanges for one.
    expect(stdout).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    // The dashboard's link carries the one-time code in its fragment, which a browser never sends to a server.
    const link = /^Dashboard: (\S+)/m.exec(stdout)?.[1] ?? "";
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#code=[\w-]{32}$/);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const code = new URL(link).hash.slice("#code=".length);
    const exchange = () =>
      fetch(new URL("/sign-in", link), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ code }),
      });
    const exchanged = await exchange();
    expect(exchanged.status).toBe(200);
    const { token } = (await exchanged.json()) as { token: string };
    expect((await exchange()).status).toBe(401);
    const ask = async (query: string, variables: object = {}) => {
      const res = await fetch(graphql, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
    };
    const queue = await ask("{ allDecisionQueues { nodes { decisionId decisionType lifecycleStage ventureId } } }");
    expect(queue.errors).toBeUndefined();
    type QueueNode = { decisionId: string; decisionType: string; lifecycleStage: number; ventureId: string };
    const nodes = (queue.data?.allDecisionQueues as { nodes: QueueNode[] } | undefined)?.nodes ?? [];
    expect(nodes.length).toBeGreaterThan(0);
    const pick =
      nodes.find((n) => n.decisionType === "brand_approval") ?? nodes.find((n) => n.decisionType === "dfe_escalation");
    if (!pick) throw new Error(`no brand or DFE decision in ${JSON.stringify(nodes)}`);
    const decision = pick.decisionType === "brand_approval" ? "approve" : "proceed";
    const decided = await ask(
      "mutation($id: UUID!, $d: String!) { decide(input: { pDecisionId: $id, pDecision: $d }) { clientMutationId } }",
      { id: pick.decisionId, d: decision },
    );
    expect(decided.errors).toBeUndefined();
    // The worker (on its own thread of the same process) picks the venture up again.
    const resumed = Date.now() + 30_000;
    for (;;) {
      const v = await t.db
        .selectFrom("ventures")
        .select("current_lifecycle_stage")
        .where("id", "=", pick.ventureId)
        .executeTakeFirstOrThrow();
      if (v.current_lifecycle_stage > pick.lifecycleStage) break;
      if (Date.now() > resumed) throw new Error("the venture did not resume");
      await sleep(200);
    }
    // While serving, each significant event gets a line; the master scheduler's crontab is registered.
    const printed = Date.now() + 30_000;
    while (!new RegExp(`decision made: .*${decision}`).test(stderr) || !/entered stage/.test(stderr)) {
      if (Date.now() > printed) throw new Error(`no event lines while serving:\n${stderr}`);
      await sleep(200);
    }
    const { rows: crontab } = await sql<{ n: number }>`
      select count(*)::int as n from graphile_worker._private_known_crontabs`.execute(t.db);
    expect(crontab[0]?.n).toBeGreaterThan(0);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(stderr).toContain("SIGINT: stopping");
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}, 120_000);
