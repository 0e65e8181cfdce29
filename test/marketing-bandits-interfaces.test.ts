// The learning loop's interfaces: `eva marketing bandits` as a user runs it
// (a real process and database), banditArmsAt through the Chairman's GraphQL
// API under RLS (the Chairman and viewers read; nobody writes an arm through
// it), and the crontab's tasks, thin glue keyed to their tick's time.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { mintToken } from "../src/auth/tokens.ts";
import { CRONTAB_LINES, parsedCrontab } from "../src/tasks/index.ts";
import { marketingBanditTasks } from "../src/tasks/marketing-bandits.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";
import { field, postGraphql } from "./helpers/graphql.ts";

process.env.EVA_JWT_SECRET = "bandits-interfaces-secret-0123456789abcdef-0123456789";

const t = await createTestDatabase();
const eva = (args: string[]) => runEva(args, { DATABASE_URL: t.url, EVA_ANALYST: "offline" });
let api: ApiServer;
beforeAll(async () => {
  api = await startApiServer({ url: t.url, port: 0 });
});
afterAll(async () => {
  await api?.close();
  await t.drop();
});

const gql = (query: string, variables: Record<string, unknown>, token: string) =>
  postGraphql(api.url, query, { variables, token });

/** A venture with a channel bandit whose x arm learned, snapshotted on 2026-03-03, and learned more since. */
async function ventureWithHistory(name: string) {
  const v = await createVenture(t.db, { name });
  const { rows } = await sql<{ id: string }>`
    select marketing.fn_bandit_ensure(${v.id}::uuid, 'channel', '', '{x,linkedin}') as id`.execute(t.service);
  const bandit = rows[0]?.id as string;
  await sql`update marketing.bandit_arms set alpha = 10, beta_param = 20, observations = 120
    where bandit_id = ${bandit}::uuid and arm_value = 'x'`.execute(t.db);
  await sql`select marketing.fn_bandit_snapshot('2026-03-03')`.execute(t.service);
  await sql`update marketing.bandit_arms set alpha = 30, beta_param = 20, observations = 160
    where bandit_id = ${bandit}::uuid and arm_value = 'x'`.execute(t.db);
  return { ...v, bandit };
}

describe("eva marketing bandits", () => {
  it("prints each arm's posterior mean and exact 95 % interval, live or as of a day; --json; bad flags refused", async () => {
    const v = await ventureWithHistory("Bandit CLI Venture");
    const live = await eva(["marketing", "bandits", v.name, "--json"]);
    expect(live.code, live.stderr).toBe(0);
    const body = JSON.parse(live.stdout) as {
      venture: string;
      arms: {
        armValue: string;
        alpha: number;
        posteriorMean: number;
        intervalLow: number;
        intervalHigh: number;
        observations: number;
        asOf: string;
      }[];
    };
    expect(body.venture).toBe(v.name);
    expect(body.arms.map((a) => a.armValue)).toEqual(["x", "linkedin"]);
    expect(body.arms[0]).toMatchObject({ alpha: 30, observations: 160 });
    expect(body.arms[0]?.posteriorMean).toBeCloseTo(0.6, 12);
    // linkedin is still Beta(1, 1): its interval is exactly [0.025, 0.975].
    expect(body.arms[1]?.intervalLow).toBeCloseTo(0.025, 12);
    expect(body.arms[1]?.intervalHigh).toBeCloseTo(0.975, 12);

    const past = await eva(["marketing", "bandits", v.name, "--scope", "channel", "--at", "2026-03-03"]);
    expect(past.code, past.stderr).toBe(0);
    expect(past.stdout).toMatch(/SCOPE\s+KEY\s+ARM\s+STATUS\s+OBS\s+MEAN\s+95% INTERVAL/);
    // Beta(10, 20): mean 1/3, interval [0.1794, 0.5083] (scipy.stats.beta.ppf).
    expect(past.stdout).toMatch(
      /channel\s+x\s+challenger\s+120\s+0\.3333\s+\[0\.1794, 0\.5083\]\s+10\s+20\s+2026-03-03/,
    );

    const before = await eva(["marketing", "bandits", v.name, "--at", "2026-03-01"]);
    expect(before.code).toBe(0);
    expect(before.stderr).toContain("no arms of Bandit CLI Venture were kept on or before 2026-03-01");
    const bad = await eva(["marketing", "bandits", v.name, "--scope", "everything"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--scope must be one of channel, variant, send_time");
    const unknown = await eva(["marketing", "bandits", "No Such Venture"]);
    expect(unknown.code).toBe(1);
  }, 120_000);
});

describe("GraphQL", () => {
  it("banditArmsAt answers the Chairman and viewers under RLS; no role writes an arm through the API", async () => {
    const v = await ventureWithHistory("Bandit GraphQL Venture");
    const query = `query($venture: UUID!, $at: Date) {
      banditArmsAt(pVentureId: $venture, pScope: "channel", pAt: $at) {
        nodes { armValue status alpha betaParam observations posteriorMean intervalLow intervalHigh asOf }
      }
    }`;
    for (const role of ["chairman", "viewer"] as const) {
      const token = await mintToken(role, 600);
      const r = await gql(query, { venture: v.id, at: "2026-03-03" }, token);
      expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
      const nodes = field<{ nodes: Record<string, unknown>[] }>(r, "banditArmsAt").nodes;
      // Ordered by posterior mean: on March 3 x (1/3) was behind the untried linkedin (1/2).
      expect(nodes.map((n) => [n.armValue, n.alpha, n.betaParam, n.observations, n.asOf])).toEqual([
        ["linkedin", "1", "1", 0, "2026-03-03"],
        ["x", "10", "20", 120, "2026-03-03"],
      ]);
      expect(nodes[1]?.intervalLow as number).toBeCloseTo(0.17938364923511, 10);
      const liveNow = await gql(query, { venture: v.id, at: null }, token);
      expect(field<{ nodes: { alpha: string }[] }>(liveNow, "banditArmsAt").nodes[0]?.alpha).toBe("30");
    }
    // Without a token (eva_anonymous) the arms are not there to read.
    const anonymous = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables: { venture: v.id, at: null } }),
    });
    const denied = (await anonymous.json()) as {
      data?: { banditArmsAt?: unknown } | null;
      errors?: { message: string }[];
    };
    expect(denied.data?.banditArmsAt ?? null).toBeNull();
    expect(denied.errors?.[0]?.message).toMatch(/permission denied/);
    // The arms are read-only through the API: no mutation updates them, and a selection is no API operation.
    const chairman = await mintToken("chairman", 600);
    const introspection = await gql(`{ __schema { mutationType { fields { name } } } }`, {}, chairman);
    const mutations = field<{ mutationType: { fields: { name: string }[] } }>(
      introspection,
      "__schema",
    ).mutationType.fields.map((f) => f.name);
    expect(mutations.filter((m) => /bandit/i.test(m))).toEqual([]);
  });
});

describe("the crontab's tasks", () => {
  it("are on the manifest's times, and decay and snapshot act for their tick's day, once", async () => {
    expect(CRONTAB_LINES["optimizer:channel:rebalance"]).toMatch(/^0 \* \* \* \* optimizer:channel:rebalance /);
    expect(CRONTAB_LINES["optimizer:variant:promote"]).toMatch(/^0 6 \* \* \* optimizer:variant:promote /);
    expect(CRONTAB_LINES["intelligence:transfer"]).toMatch(/^0 2 \* \* 1 intelligence:transfer /);
    expect(CRONTAB_LINES["bandit:decay:apply"]).toMatch(/^0 3 \* \* 1 bandit:decay:apply /);
    expect(CRONTAB_LINES["bandit:snapshot"]).toMatch(/^55 23 \* \* \* bandit:snapshot /);
    expect(parsedCrontab().map((i) => i.task)).toContain("bandit:snapshot");

    const v = await ventureWithHistory("Bandit Tasks Venture");
    const lines: string[] = [];
    const helpers = { logger: { info: (line: string) => lines.push(line) } } as unknown as Parameters<
      ReturnType<typeof marketingBanditTasks>["bandit:decay:apply"]
    >[1];
    const tasks = marketingBanditTasks({ db: t.service });
    await tasks["bandit:decay:apply"]({ _cron: { ts: "2031-02-05T03:00:00.000Z", backfilled: true } }, helpers);
    await tasks["bandit:decay:apply"]({ _cron: { ts: "2031-02-03T03:00:00.000Z", backfilled: false } }, helpers);
    const runs = await sql<{ week_start: string; arms: number }>`
      select week_start::text, arms from marketing.bandit_decay_runs where week_start >= '2031-01-01'`.execute(t.db);
    expect(runs.rows).toHaveLength(1);
    expect(runs.rows[0]?.week_start).toBe("2031-02-03");
    const x = await sql<{ alpha: string }>`select alpha::text from marketing.bandit_arms
      where bandit_id = ${v.bandit}::uuid and arm_value = 'x'`.execute(t.db);
    expect(Number(x.rows[0]?.alpha)).toBeCloseTo(1 + 0.97 * 29, 12);

    await tasks["bandit:snapshot"]({ _cron: { ts: "2031-02-05T23:55:00.000Z", backfilled: false } }, helpers);
    const snap = await sql<{ n: number }>`select count(*)::int as n from marketing.bandit_arm_snapshots
      where venture_id = ${v.id}::uuid and snapshot_date = '2031-02-05'`.execute(t.db);
    expect(snap.rows[0]?.n).toBe(2);
    await tasks["optimizer:channel:rebalance"]({}, helpers);
    await tasks["optimizer:variant:promote"]({}, helpers);
    await tasks["intelligence:transfer"]({}, helpers);
    expect(lines.some((l) => l.startsWith('optimizer:variant:promote {"observed":'))).toBe(true);
  });
});
