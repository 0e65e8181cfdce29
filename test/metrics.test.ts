// Measured venture metrics: the one writer (eva.fn_record_venture_metrics, all
// or none, each bad row named), the history per ops cycle, the `eva metrics`
// commands, the GraphQL mutation, and Stage 24 reading them as facts (its
// previousValue read from the previous version; a model's invented values never
// stored as measurements).
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { mintToken } from "../src/auth/tokens.ts";
import { withRole } from "../src/db/client.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { createOpenAIAnalyst } from "../src/llm/openai-analyst.ts";
import type { Analyst } from "../src/llm/types.ts";
import {
  type MetricInput,
  metricHistory,
  parseMetricsCsv,
  parseMetricsJson,
  recordVentureMetrics,
} from "../src/metrics/venture-metrics.ts";
import { runStageWork } from "../src/orchestration/stage-engine.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { reply, startFakeOpenAIServer } from "./helpers/fake-openai-server.ts";
import { createVenture } from "./helpers/fixtures.ts";

const SECRET = "metrics-test-secret-metrics-test-secret-0123456789";
process.env.EVA_JWT_SECRET = SECRET;

const t = await createTestDatabase();
const model = await startFakeOpenAIServer();
let api: ApiServer;
beforeAll(async () => {
  api = await startApiServer({ url: t.url, port: 0 });
});
afterAll(async () => {
  await api?.close();
  await model.close();
  await t.drop();
});

const _execute = promisify(execFile);
const eva = (args: string[]) => runEva(args, { DATABASE_URL: t.url, EVA_ANALYST: "offline" });

const asChairman = <T>(fn: Parameters<typeof withRole<T>>[2]) => withRole(t.db, "eva_chairman", fn);
const count = async (ventureId: string) =>
  Number(
    (
      await t.db
        .selectFrom("venture_metrics")
        .select((eb) => eb.fn.countAll().as("n"))
        .where("venture_id", "=", ventureId)
        .executeTakeFirstOrThrow()
    ).n,
  );
const pgError = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error("expected a refusal");
};

const LAUNCH_PLAN = {
  launchType: "beta",
  goDecision: "go",
  successCriteria: [
    { metric: "paying firms", target: "100", measurementWindow: "12 months", priority: "primary" },
    { metric: "Week-4 retention (%)", target: "35", measurementWindow: "30 days", priority: "secondary" },
  ],
};

/**
 * A venture that has launched: its Stage 23 launch plan validated and Stage 24's first run ready.
 * Made by the superuser (the setup is not under test; the way there is Phase A's).
 */
async function launchedVenture(): Promise<{ id: string; name: string; workId: string }> {
  const v = await createVenture(t.db);
  await sql`update eva.venture_stage_work set status = 'completed', completed_at = now() where venture_id = ${v.id}`.execute(
    t.db,
  );
  await sql`insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, validation_status, epistemic_classification)
    values (${v.id}, 23, 'launch_plan', ${JSON.stringify(LAUNCH_PLAN)}::jsonb, 'validated', 'simulation')`.execute(
    t.db,
  );
  await sql`update eva.ventures set current_lifecycle_stage = 24 where id = ${v.id}`.execute(t.db);
  const { rows } = await sql<{
    id: string;
  }>`insert into eva.venture_stage_work (venture_id, lifecycle_stage, run_number, status)
    values (${v.id}, 24, 1, 'ready') returning id`.execute(t.db);
  return { ...v, workId: (rows[0] as { id: string }).id };
}

/** The next ops cycle, as the Chairman's `continue` at Stage 25 starts it: Stage 24 runs again. */
async function nextOpsCycle(ventureId: string): Promise<string> {
  // No request role runs the state functions (EVA's own functions do): the superuser stands in for them.
  const { rows } = await sql<{
    id: string;
  }>`select id from eva.fn_rerun_stage(${ventureId}::uuid, 24, 'next ops cycle', 'ops_cycle')`.execute(t.db);
  return (rows[0] as { id: string }).id;
}

interface ScorecardMetric {
  name: string;
  value: number;
  target: number | null;
  previousValue: number | null;
  label: string;
  source: string | null;
  trendDirection: string;
  criterionRef: string | null;
}
interface Scorecard {
  aarrr: Record<string, ScorecardMetric[]>;
  funnels: unknown[];
  launchOutcome: { assessment: string; criteriaMetRate: number | null; criteria: { metric: string; result: string }[] };
  measurement: { basis: string; opsCycle: number; previousVersion: number | null; discarded: string[]; note: string };
}

async function scorecard(ventureId: string, version?: number) {
  let q = t.db
    .selectFrom("venture_artifacts")
    .select(["version", "content", "epistemic_classification", "epistemic_evidence"])
    .where("venture_id", "=", ventureId)
    .where("artifact_type", "=", "launch_scorecard");
  q = version === undefined ? q.where("is_current", "=", true) : q.where("version", "=", version);
  const row = await q.executeTakeFirstOrThrow();
  return {
    ...row,
    content: row.content as unknown as Scorecard,
    evidence: row.epistemic_evidence as { measured?: { field: string; source: string }[] },
  };
}
const metricsOf = (s: Scorecard) => Object.values(s.aarrr).flat();

/** A model that invents a full scorecard: numbers nobody measured. */
const invented = {
  aarrr: {
    acquisition: [
      {
        name: "New signups (30 days)",
        value: 950,
        target: 600,
        previousValue: 700,
        trendWindowDays: 30,
        criterionRef: null,
      },
    ],
    activation: [],
    retention: [
      {
        name: "Week-4 retention (%)",
        value: 88,
        target: 35,
        previousValue: 80,
        trendWindowDays: 28,
        criterionRef: "Week-4 retention (%)",
      },
    ],
    revenue: [
      {
        name: "paying firms",
        value: 240,
        target: 100,
        previousValue: 150,
        trendWindowDays: 30,
        criterionRef: "paying firms",
      },
    ],
    referral: [],
  },
  funnels: [
    {
      name: "Visitor to paying",
      steps: [
        { name: "Visitors", count: 10000 },
        { name: "Paying", count: 240 },
      ],
    },
  ],
  learnings: [{ category: "market", insight: "Demand is far above plan in every segment.", impactLevel: "high" }],
};

function modelAnalyst(): Analyst {
  return createOpenAIAnalyst({ apiKey: "test-key", baseURL: model.baseURL, model: "fake-model", maxRetries: 0 });
}

describe("eva.fn_record_venture_metrics", () => {
  it("records a batch as the Chairman, with its source, and logs one event", async () => {
    const v = await createVenture(t.db);
    const rows = await asChairman((trx) =>
      recordVentureMetrics(trx, v.id, [
        { category: "retention", name: "Week-4 retention (%)", value: 31.5, source: "posthog", sourceRef: "evt-1" },
        {
          category: "revenue",
          name: "MRR (EUR)",
          value: 4200,
          observedAt: "2026-11-30T09:00:00Z",
          source: "stripe dashboard",
        },
      ]),
    );
    expect(rows.map((r) => [r.category, r.name, r.value, r.source, r.recordedBy])).toEqual([
      ["retention", "Week-4 retention (%)", 31.5, "posthog", "eva_chairman"],
      ["revenue", "MRR (EUR)", 4200, "stripe dashboard", "eva_chairman"],
    ]);
    expect(rows[1]?.observedAt.toISOString()).toBe("2026-11-30T09:00:00.000Z");
    const { rows: events } = await sql<{ payload: { count: number; metrics: { name: string }[] } }>`
      select payload from eva.eva_event_log where venture_id = ${v.id} and event_type = 'metrics.recorded'`.execute(
      t.db,
    );
    expect(events.map((e) => [e.payload.count, e.payload.metrics.map((m) => m.name)])).toEqual([
      [2, ["Week-4 retention (%)", "MRR (EUR)"]],
    ]);
  });

  it("gives a value without a category its series' category, else the one its name suggests", async () => {
    const v = await createVenture(t.db);
    await asChairman((trx) =>
      recordVentureMetrics(trx, v.id, [
        { category: "acquisition", name: "Paying customers", value: 3, source: "manual" },
      ]),
    );
    const rows = await asChairman((trx) =>
      recordVentureMetrics(trx, v.id, [
        { name: "paying customers", value: 5, source: "manual" },
        { name: "Monthly churn (%)", value: 4, source: "manual" },
      ]),
    );
    expect(rows.map((r) => [r.name, r.category])).toEqual([
      ["paying customers", "acquisition"],
      ["Monthly churn (%)", "retention"],
    ]);
  });

  it("refuses a batch with bad rows, naming each row, field and reason, and writes none of it (EV400)", async () => {
    const v = await createVenture(t.db);
    await asChairman((trx) =>
      recordVentureMetrics(trx, v.id, [
        { category: "retention", name: "Monthly churn (%)", value: 4, source: "manual" },
      ]),
    );
    const batch = [
      { category: "retention", name: "Week-4 retention (%)", value: 30, source: "manual" },
      { category: "retention", name: "Week-4 retention (%)", value: "31", source: "manual" },
      { category: "growth", name: "Signups", value: 5, source: "manual" },
      { category: "activation", name: "Monthly churn (%)", value: 3, source: "manual" },
      { category: "revenue", name: "MRR", value: 9, source: " ", observedAt: "2099-01-01T00:00:00Z" },
      { category: "revenue", name: "paying firms", value: 9, source: "manual", criterionRef: "paying firms" },
    ];
    const error = await pgError(
      asChairman((trx) => recordVentureMetrics(trx, v.id, batch as unknown as MetricInput[])),
    );
    expect(error.code).toBe("EV400");
    expect(error.message).toMatch(/^5 of 6 metric rows refused, nothing recorded: /);
    expect(error.message).toContain('row 2 ("Week-4 retention (%)"): value must be a number, not "31"');
    expect(error.message).toContain(
      'row 3 ("Signups"): category must be acquisition, activation, retention, revenue or referral, not "growth"',
    );
    expect(error.message).toContain(
      'row 4 ("Monthly churn (%)"): category activation, but this venture records "Monthly churn (%)" as retention',
    );
    expect(error.message).toContain('row 5 ("MRR"): observedAt 2099-01-01T00:00:00Z is in the future');
    expect(error.message).toContain('row 5 ("MRR"): source is required');
    expect(error.message).toContain(
      'row 6 ("paying firms"): criterionRef "paying firms" names no Stage 23 success criterion: the venture has no launch plan yet',
    );
    expect(error.message).not.toContain("row 1");
    expect(await count(v.id)).toBe(1);
  });

  it("records an ingest's observation once: a sourceRef already on record is refused (EV409)", async () => {
    const v = await createVenture(t.db);
    const row = {
      category: "acquisition" as const,
      name: "Signups",
      value: 12,
      source: "posthog",
      sourceRef: "daily-42",
    };
    await asChairman((trx) => recordVentureMetrics(trx, v.id, [row]));
    const error = await pgError(asChairman((trx) => recordVentureMetrics(trx, v.id, [{ ...row, value: 13 }])));
    expect(error.code).toBe("EV409");
    expect(error.message).toContain("row 1 (posthog, daily-42)");
    expect(await count(v.id)).toBe(1);
  });

  it("is the only writer: viewers may not call it, nobody inserts, changes or removes a row directly", async () => {
    const v = await createVenture(t.db);
    await asChairman((trx) =>
      recordVentureMetrics(trx, v.id, [{ category: "revenue", name: "MRR (EUR)", value: 100, source: "manual" }]),
    );
    const viewer = await pgError(
      withRole(t.db, "eva_viewer", (trx) =>
        recordVentureMetrics(trx, v.id, [{ category: "revenue", name: "MRR (EUR)", value: 1, source: "x" }]),
      ),
    );
    expect(viewer.code).toBe("42501");
    for (const role of ["eva_chairman", "eva_service"] as const) {
      for (const statement of [
        `insert into eva.venture_metrics (venture_id, category, metric_name, value, observed_at, source, batch_id) values ('${v.id}', 'revenue', 'MRR (EUR)', 1, now(), 'forged', gen_random_uuid())`,
        `update eva.venture_metrics set value = 1 where venture_id = '${v.id}'`,
        `delete from eva.venture_metrics where venture_id = '${v.id}'`,
      ]) {
        const refused = await pgError(withRole(t.db, role, (trx) => sql.raw(statement).execute(trx)));
        expect(refused.code, `${role}: ${statement}`).toBe("42501");
      }
    }
    // Not even the owner changes a measurement: corrections are new rows.
    const owner = await pgError(sql`update eva.venture_metrics set value = 1 where venture_id = ${v.id}`.execute(t.db));
    expect(owner.code).toBe("EV430");
    expect(await count(v.id)).toBe(1);
  });
});

describe("metric files", () => {
  it("reads a CSV with a header, and names each bad line", () => {
    const ok = parseMetricsCsv(
      'name,value,category,observedAt\n"Week-4 retention (%)",31.5,,2026-11-30T09:00:00Z\nMRR (EUR),4200,revenue,\n',
      { source: "import m.csv" },
    );
    expect(ok).toEqual({
      ok: true,
      rows: [
        { name: "Week-4 retention (%)", value: 31.5, observedAt: "2026-11-30T09:00:00Z", source: "import m.csv" },
        { category: "revenue", name: "MRR (EUR)", value: 4200, source: "import m.csv" },
      ],
      where: ["line 2", "line 3"],
    });
    expect(parseMetricsCsv("name,value\nSignups,12%\nChurn,1,2\n", { source: "s" })).toEqual({
      ok: false,
      problems: [
        'line 2 ("Signups"): value must be a number, not "12%"',
        "line 3: 3 cells, but the header has 2 columns",
      ],
    });
    expect(parseMetricsCsv("metric,value\n", { source: "s" })).toEqual({
      ok: false,
      problems: [
        "line 1, column 1: not a known column (columns: category, name, value, observedAt, source, sourceRef, criterionRef)",
        'line 1: the header has no "name" column',
      ],
    });
  });

  it("reads a JSON array, and names each bad index", () => {
    expect(parseMetricsJson('[{"name":"Signups","value":12,"source":"posthog"}]', { source: "s" })).toEqual({
      ok: true,
      rows: [{ name: "Signups", value: 12, source: "posthog" }],
      where: ["index 0"],
    });
    expect(parseMetricsJson('[{"name":"Signups","value":12},{"value":"x"},3]', { source: "s" })).toEqual({
      ok: false,
      problems: [
        "index 1: name is required",
        'index 1: value must be a number, not "x"',
        "index 2: must be an object, not a number",
      ],
    });
  });
});

describe("eva metrics", () => {
  it("records, imports and reads the history; bad input names the flag or the line and writes nothing", async () => {
    const v = await createVenture(t.db);
    const recorded = await eva([
      "metrics",
      "record",
      v.name,
      "--metric",
      "Week-4 retention (%)",
      "--value",
      "31.5",
      "--json",
    ]);
    expect(recorded.code).toBe(0);
    expect(JSON.parse(recorded.stdout)).toMatchObject({
      category: "retention",
      name: "Week-4 retention (%)",
      value: 31.5,
      source: "manual (eva metrics record)",
    });

    const bad = await eva(["metrics", "record", v.name, "--metric", "MRR", "--value", "lots"]);
    expect([bad.code, bad.stderr]).toEqual([2, 'error: --value must be a number, not "lots"\n']);

    const dir = mkdtempSync(join(tmpdir(), "eva-metrics-"));
    const csv = join(dir, "metrics.csv");
    writeFileSync(csv, "name,value,category\nMRR (EUR),4200,revenue\nSignups,many,acquisition\n");
    const refused = await eva(["metrics", "import", v.name, "--file", csv]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('line 3 ("Signups"): value must be a number, not "many"');
    // The database's refusal, with the row named by its place in the file.
    const json = join(dir, "metrics.json");
    writeFileSync(
      json,
      JSON.stringify([
        { name: "MRR (EUR)", value: 4200 },
        { name: "Week-4 retention (%)", value: 30, category: "activation" },
      ]),
    );
    const conflicting = await eva(["metrics", "import", v.name, "--file", json]);
    expect(conflicting.code).toBe(1);
    expect(conflicting.stderr).toMatch(
      /index 1 \("Week-4 retention \(%\)"\): category activation, but this venture records .* \[EV400\]/,
    );
    expect(await count(v.id)).toBe(1);

    writeFileSync(csv, "name,value,category\nMRR (EUR),4200,revenue\n");
    const imported = await eva(["metrics", "import", v.name, "--file", csv, "--json"]);
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject([
      { name: "MRR (EUR)", value: 4200, source: "import metrics.csv (eva metrics import)" },
    ]);

    const history = await eva(["metrics", "history", v.id, "--metric", "week-4 retention (%)", "--json"]);
    expect(JSON.parse(history.stdout)).toMatchObject([
      { metric: "Week-4 retention (%)", opsCycle: 1, cycleScored: false, value: 31.5, previousValue: null },
    ]);
    const help = await eva(["metrics", "import", "--help"]);
    expect(help.stdout).toContain("--file <path>");
    // Eight CLI processes: a loaded machine needs more than the default timeout.
  }, 180_000);
});

describe("the GraphQL mutation recordVentureMetrics", () => {
  const mutation = `mutation ($v: UUID!, $m: JSON!) {
    recordVentureMetrics(input: { pVenture: $v, pMetrics: $m }) { result { metricName value source category } }
  }`;
  const post = async (variables: Record<string, unknown>, token: string) => {
    const response = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: mutation, variables }),
    });
    return (await response.json()) as {
      data?: { recordVentureMetrics: { result: unknown[] } | null } | null;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
  };

  it("records for the Chairman, refuses bad rows by name, and refuses viewers", async () => {
    const v = await createVenture(t.db);
    const chairman = await mintToken("chairman", 600, new TextEncoder().encode(SECRET));
    const ok = await post(
      { v: v.id, m: [{ category: "referral", name: "Referral share of signups (%)", value: 12, source: "graphql" }] },
      chairman,
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.recordVentureMetrics?.result).toEqual([
      { metricName: "Referral share of signups (%)", value: "12", source: "graphql", category: "referral" },
    ]);
    const bad = await post({ v: v.id, m: [{ category: "referral", name: "Invites", source: "graphql" }] }, chairman);
    expect(bad.errors?.[0]?.message).toBe(
      '1 of 1 metric rows refused, nothing recorded: row 1 ("Invites"): value must be a number, not missing',
    );
    const viewer = await post(
      { v: v.id, m: [{ category: "referral", name: "Invites", value: 1, source: "graphql" }] },
      await mintToken("viewer", 600, new TextEncoder().encode(SECRET)),
    );
    expect(viewer.errors?.length).toBeGreaterThan(0);
    expect(await count(v.id)).toBe(1);
  });
});

describe("Stage 24 reads the measured metrics", () => {
  it("a real model with nothing measured: its invented numbers are not stored, values unknown, outcome indeterminate", async () => {
    const v = await launchedVenture();
    model.reset();
    model.enqueue(reply.json(invented));
    const outcome = await runStageWork(t.service, modelAnalyst(), v.workId);
    expect(outcome.outcome).toBe("advanced");
    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]?.body.messages.at(-1)?.content).toContain("No metrics were measured in it.");
    const s = await scorecard(v.id);
    expect(metricsOf(s.content)).toEqual([]);
    expect(s.content.funnels).toEqual([]);
    expect(s.content.launchOutcome).toMatchObject({ assessment: "indeterminate", criteriaMetRate: null });
    expect(s.content.launchOutcome.criteria.map((c) => c.result)).toEqual(["unknown", "unknown"]);
    expect(s.content.measurement).toMatchObject({
      basis: "none",
      opsCycle: 1,
      discarded: ["New signups (30 days)", "Week-4 retention (%)", "paying firms"],
    });
    expect(s.evidence.measured).toEqual([]);
    expect(await count(v.id)).toBe(0);
    // Nor does the history show anything measured.
    expect(await withRole(t.db, "eva_viewer", (trx) => metricHistory(trx, v.id))).toEqual([]);
  });

  it("the offline analyst with nothing measured simulates, labelled simulation", async () => {
    const v = await launchedVenture();
    await runStageWork(t.service, createOfflineAnalyst(), v.workId);
    const s = await scorecard(v.id);
    expect(s.epistemic_classification).toBe("simulation");
    expect(s.content.measurement.basis).toBe("simulation");
    const metrics = metricsOf(s.content);
    expect(metrics.length).toBeGreaterThan(0);
    expect(metrics.every((m) => m.label === "simulation" && m.source === null)).toBe(true);
    // The first cycle has no previous version to read: no previous value, no trend.
    expect(metrics.every((m) => m.previousValue === null && m.trendDirection === "unknown")).toBe(true);
    expect(s.evidence.measured).toEqual([]);
  });

  it("two measured cycles: values are facts with their source; version 2's previousValue is version 1's recorded value", async () => {
    const v = await launchedVenture();
    await asChairman((trx) =>
      recordVentureMetrics(trx, v.id, [
        {
          category: "retention",
          name: "Week-4 retention (%)",
          value: 28,
          source: "posthog",
          criterionRef: "Week-4 retention (%)",
        },
        { category: "revenue", name: "paying firms", value: 40, source: "stripe" },
        // A correction of the same observation: the later record wins.
        { category: "revenue", name: "MRR (EUR)", value: 1900, source: "stripe", observedAt: "2026-11-30T09:00:00Z" },
      ]),
    );
    await asChairman((trx) =>
      recordVentureMetrics(trx, v.id, [
        {
          category: "revenue",
          name: "MRR (EUR)",
          value: 1960,
          source: "stripe (corrected)",
          observedAt: "2026-11-30T09:00:00Z",
        },
      ]),
    );
    model.reset();
    model.enqueue(reply.json(invented));
    await runStageWork(t.service, modelAnalyst(), v.workId);
    const v1 = await scorecard(v.id);
    expect(v1.version).toBe(1);
    expect(v1.content.measurement).toMatchObject({
      basis: "measured",
      opsCycle: 1,
      previousVersion: null,
      discarded: ["New signups (30 days)"],
    });
    const byName1 = new Map(metricsOf(v1.content).map((m) => [m.name, m]));
    // The model said 88 and 240: the scorecard holds what was measured.
    expect(byName1.get("Week-4 retention (%)")).toMatchObject({
      value: 28,
      label: "fact",
      source: "posthog",
      target: 35,
      previousValue: null,
    });
    expect(byName1.get("paying firms")).toMatchObject({
      value: 40,
      label: "fact",
      source: "stripe",
      criterionRef: "paying firms",
      target: 100,
    });
    expect(byName1.get("MRR (EUR)")).toMatchObject({ value: 1960, source: "stripe (corrected)", target: null });
    expect(byName1.has("New signups (30 days)")).toBe(false);
    expect(v1.content.funnels).toEqual([]);
    // 28 < 35 and 40 < 100: measured, not met.
    expect(v1.content.launchOutcome).toMatchObject({ assessment: "failure", criteriaMetRate: 0 });
    // Every fact is in the evidence with its source; nothing else is.
    const facts = Object.entries(v1.content.aarrr).flatMap(([stage, ms]) =>
      ms.map((m, i) => ({ field: `aarrr.${stage}[${i}].value`, source: m.source })),
    );
    const byField = (a: { field: string }, b: { field: string }) => a.field.localeCompare(b.field);
    expect(v1.evidence.measured?.map(({ field, source }) => ({ field, source })).sort(byField)).toEqual(
      facts.sort(byField),
    );
    expect(facts.map((f) => f.source).sort()).toEqual(["posthog", "stripe", "stripe (corrected)"]);
    const prompt1 = model.requests[0]?.body.messages.at(-1)?.content ?? "";
    expect(prompt1).toContain("[retention] Week-4 retention (%) = 28");
    expect(prompt1).toContain("This is the first cycle: there are no previous values");

    // Cycle 2: new observations after cycle 1's run started.
    await asChairman((trx) =>
      recordVentureMetrics(trx, v.id, [
        { category: "retention", name: "Week-4 retention (%)", value: 33, source: "posthog" },
        { category: "revenue", name: "paying firms", value: 70, source: "stripe" },
      ]),
    );
    const work2 = await nextOpsCycle(v.id);
    model.reset();
    model.enqueue(reply.json(invented));
    await runStageWork(t.service, modelAnalyst(), work2);
    const v2 = await scorecard(v.id);
    expect(v2.version).toBe(2);
    expect(v2.content.measurement).toMatchObject({ basis: "measured", opsCycle: 2, previousVersion: 1 });
    const byName2 = new Map(metricsOf(v2.content).map((m) => [m.name, m]));
    for (const name of ["Week-4 retention (%)", "paying firms"]) {
      expect(byName2.get(name)?.previousValue, name).toBe(byName1.get(name)?.value);
    }
    expect(byName2.get("Week-4 retention (%)")).toMatchObject({ value: 33, previousValue: 28, trendDirection: "up" });
    // MRR was not observed in cycle 2: it is not carried over as if it were.
    expect(byName2.has("MRR (EUR)")).toBe(false);
    expect(model.requests[0]?.body.messages.at(-1)?.content).toContain("Week-4 retention (%) = 28 (fact)");

    // The history answers "how has retention changed across the cycles?".
    const history = await withRole(t.db, "eva_viewer", (trx) =>
      metricHistory(trx, v.id, { metric: "Week-4 retention (%)" }),
    );
    expect(history.map((h) => [h.opsCycle, h.cycleScored, h.value, h.previousValue, h.change, h.changePct])).toEqual([
      [1, true, 28, null, null, null],
      [2, true, 33, 28, 5, 17.9],
    ]);
  });
});
