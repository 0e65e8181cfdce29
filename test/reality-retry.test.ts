// The Reality Gate Retry saga (spec §15) against a real database: a venture
// whose Stage 6 risk matrix is weak fails the Stage 9 reality gate; the saga
// re-runs Stage 6 (the stage whose artifact failed) with the failure in its
// prompt, then 7, 8 and 9; a retry that passes completes the saga and the
// venture advances; a venture that keeps failing is killed after 3 retries
// with killed_at_reality_gate, every failure kept in the saga row.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { synthesizeBrief } from "../src/ideation/brief.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import type { AnalysisRequest, Analyst } from "../src/llm/types.ts";
import { runStageWork, type StageRunOutcome } from "../src/orchestration/stage-engine.ts";
import type { RiskAnalysis } from "../src/stages/stage-06.ts";
import type { CanvasAnalysis } from "../src/stages/stage-08.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { settleEventBus } from "./helpers/event-bus.ts";
import { stepsOf } from "./helpers/sagas.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

beforeAll(async () => {
  // The saga is the subject here, not the Decision Filter Engine: no stage should escalate for a low score.
  await withRole(t.db, "eva_chairman", (trx) =>
    trx
      .updateTable("chairman_preferences")
      .set({ value: "0" })
      .where("scope", "=", "global")
      .where("key", "=", "score_threshold")
      .execute(),
  );
});

/** Three risks from one source and one category, with one-word mitigations: a risk matrix of quality 49. */
function weaken(analysis: RiskAnalysis): RiskAnalysis {
  const first = analysis.risks[0];
  if (!first) throw new Error("the offline analyst named no risk");
  return {
    risks: analysis.risks
      .slice(0, 3)
      .map((r) => ({ ...r, category: first.category, source: first.source, mitigationStrategy: "monitor" })),
  };
}

interface Call {
  stage: number;
  user: string;
}

/**
 * The offline analyst, except that Stage 6 answers weakly: always, or until
 * its prompt carries the reality gate's failure (the feedback the saga gives).
 */
function weakStage6Analyst(mode: "until_feedback" | "always"): Analyst & { calls: Call[] } {
  const offline = createOfflineAnalyst();
  const calls: Call[] = [];
  return {
    kind: offline.kind,
    model: offline.model,
    calls,
    analyze<T>(request: AnalysisRequest<T>) {
      const stage = Number(/^stage_(\d+)_/.exec(request.schemaName)?.[1]);
      calls.push({ stage, user: request.prompt.user });
      const weak = stage === 6 && (mode === "always" || !request.prompt.user.includes("reality gate"));
      return offline.analyze(
        weak ? { ...request, simulate: (rng) => weaken(request.simulate(rng) as RiskAnalysis) as T } : request,
      );
    },
  };
}

/**
 * A venture from Stage 0's teardown of wonka.com, named `<brief's name> <tag>`.
 * The offline analyst's answers follow the name, so each test's tag is one
 * whose venture passes Stages 3 and 5 (the fate of the idea is not the subject).
 */
async function ventureFromBrief(tag: string): Promise<string> {
  const { brief: synthesized } = await synthesizeBrief(createOfflineAnalyst(), {
    path: "competitor_teardown",
    urls: ["https://wonka.com"],
  });
  const brief = { ...synthesized, name: `${synthesized.name} ${tag}` };
  const review = await withRole(t.db, "eva_service", (trx) =>
    trx
      .insertInto("chairman_decisions")
      .values({ lifecycle_stage: 0, decision_type: "venture_review", context: JSON.stringify({ brief }) })
      .returning("id")
      .executeTakeFirstOrThrow(),
  );
  return withRole(t.db, "eva_chairman", async (trx) => {
    await sql`select eva.fn_decide(${review.id}::uuid, 'approve')`.execute(trx);
    const row = await trx
      .selectFrom("chairman_decisions")
      .select("venture_id")
      .where("id", "=", review.id)
      .executeTakeFirstOrThrow();
    if (!row.venture_id) throw new Error("the approved review created no venture");
    return row.venture_id;
  });
}

/** Runs the venture's open stage work, one run at a time (a DFE escalation is approved), until Stage 10 or its end. */
async function runToStage10(
  ventureId: string,
  analyst: Analyst,
  until: (o: StageRunOutcome) => boolean = () => false,
): Promise<StageRunOutcome[]> {
  const outcomes: StageRunOutcome[] = [];
  for (let i = 0; i < 40; i++) {
    const pending = await t.db
      .selectFrom("chairman_decisions")
      .select(["id", "decision_type"])
      .where("venture_id", "=", ventureId)
      .where("status", "=", "pending")
      .executeTakeFirst();
    if (pending) {
      if (pending.decision_type !== "dfe_escalation") throw new Error(`unexpected ${pending.decision_type} decision`);
      await withRole(t.db, "eva_chairman", (trx) =>
        sql`select eva.fn_decide(${pending.id}::uuid, 'proceed')`.execute(trx),
      );
      continue;
    }
    const work = await t.db
      .selectFrom("venture_stage_work")
      .select(["id", "lifecycle_stage", "status", "blocked_reason"])
      .where("venture_id", "=", ventureId)
      .where("status", "in", ["ready", "in_progress", "blocked", "failed"])
      .executeTakeFirst();
    if (!work) break;
    if (work.status !== "ready")
      throw new Error(`stage ${work.lifecycle_stage} ${work.status}: ${work.blocked_reason}`);
    if (work.lifecycle_stage === 10) break;
    const outcome = await runStageWork(t.service, analyst, work.id);
    outcomes.push(outcome);
    if (until(outcome)) break;
  }
  return outcomes;
}

const trail = (outcomes: StageRunOutcome[]) =>
  outcomes.map((o) => ("stage" in o ? `${o.stage}:${o.outcome}` : o.outcome));

async function sagaOf(ventureId: string) {
  return t.db
    .selectFrom("eva_sagas")
    .selectAll()
    .where("venture_id", "=", ventureId)
    .where("saga_type", "=", "reality_gate_retry")
    .executeTakeFirstOrThrow();
}

interface Failure {
  attempt: number;
  rerunFrom: number;
  responsibleStages: number[];
  failedChecks: { name: string; stage: number; detail: string }[];
  versions: { stage: number; version: number }[];
}

describe("the Reality Gate Retry saga", () => {
  it("re-runs Stage 6 for its own weak artifact, with the failure as feedback, then 7, 8, 9; the passing retry advances", async () => {
    const ventureId = await ventureFromBrief("1");
    const analyst = weakStage6Analyst("until_feedback");
    const outcomes = await runToStage10(ventureId, analyst);

    expect(trail(outcomes).slice(-9)).toEqual([
      "5:advanced",
      "6:advanced",
      "7:advanced",
      "8:advanced",
      "9:rerun",
      "6:advanced",
      "7:advanced",
      "8:advanced",
      "9:advanced",
    ]);
    expect(outcomes.find((o) => o.outcome === "rerun")).toMatchObject({ stage: 9, nextStage: 6, gateDecision: "fail" });

    // The second Stage 6 run's prompt carries the gate's failure, mapped to Stage 6.
    const stage6 = analyst.calls.filter((c) => c.stage === 6);
    expect(stage6).toHaveLength(2);
    expect(stage6[0]?.user).not.toContain("reality gate");
    expect(stage6[1]?.user).toContain("## This is run 2; address this feedback");
    expect(stage6[1]?.user).toMatch(
      /Previous output failed the stage 9 reality gate \(first evaluation\): stage 6 quality 49 \(minimum 60\) — Re-run Stage 6/,
    );
    // Stages 7 and 8 re-run because their input changed; the failure named none of their checks.
    expect(analyst.calls.filter((c) => c.stage === 7)[1]?.user).not.toContain("reality gate");

    const saga = await sagaOf(ventureId);
    expect(saga).toMatchObject({ status: "completed", current_step: "decide", retry_count: 1, max_retries: 3 });
    // On the saga engine: each step's outcome, the failing evaluation's steps once, the passing re-evaluation once.
    const steps = (await stepsOf(t.db, saga.id)).map(({ step, status, attempts }) => ({ step, status, attempts }));
    expect(steps).toEqual([
      { step: "identify_failure", status: "completed", attempts: 1 },
      { step: "map_stages", status: "completed", attempts: 1 },
      { step: "retry_analysis", status: "completed", attempts: 1 },
      { step: "re_evaluate", status: "completed", attempts: 1 },
      { step: "decide", status: "completed", attempts: 1 },
      { step: "exhaust", status: "skipped", attempts: 1 },
    ]);
    expect(saga.completed_at).not.toBeNull();
    expect(saga.timeout_at).not.toBeNull();
    const context = saga.context as unknown as {
      boundary: number;
      outcome: string;
      failures: Failure[];
      prior_failure_reasons: string[];
      versions_created: { stage: number; version: number }[];
      passed: { decision: string; retry: number };
    };
    expect(context).toMatchObject({ boundary: 9, outcome: "passed", passed: { retry: 1 } });
    expect(["pass", "conditional"]).toContain(context.passed.decision);
    expect(context.failures).toHaveLength(1);
    expect(context.failures[0]).toMatchObject({ attempt: 0, rerunFrom: 6, responsibleStages: [6] });
    expect(context.failures[0]?.failedChecks).toEqual([
      expect.objectContaining({ name: "stage 6 quality ≥ 60", stage: 6, detail: "stage 6 quality 49 (minimum 60)" }),
    ]);
    expect(context.failures[0]?.versions.map((v) => [v.stage, v.version])).toEqual([
      [6, 1],
      [7, 1],
      [8, 1],
      [9, 1],
    ]);
    expect(context.prior_failure_reasons).toEqual([expect.stringMatching(/^stage 9 reality gate, first evaluation: /)]);

    const venture = await t.db
      .selectFrom("ventures")
      .select(["status", "current_lifecycle_stage"])
      .where("id", "=", ventureId)
      .executeTakeFirstOrThrow();
    expect(venture).toEqual({ status: "active", current_lifecycle_stage: 10 });
    const risk = await t.db
      .selectFrom("venture_artifacts")
      .select(["version", "quality_score", "is_current"])
      .where("venture_id", "=", ventureId)
      .where("lifecycle_stage", "=", 6)
      .orderBy("version")
      .execute();
    expect(risk.map((a) => [a.version, a.is_current])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(risk[0]?.quality_score).toBe(49);
    expect(risk[1]?.quality_score).toBeGreaterThanOrEqual(60);
    const { rows: events } = await sql<{ event_type: string }>`
      select event_type from eva.eva_event_log
      where venture_id = ${ventureId} and event_type like 'saga.%' order by id`.execute(t.db);
    expect(events.map((e) => e.event_type)).toEqual(["saga.started", "saga.step", "saga.completed"]);
  }, 120_000);

  it("fails the gate on a URL Stage 8 names that does not answer, and re-runs Stage 8 (not 6) with it as feedback", async () => {
    // A real local server: the page the first canvas cites is gone (404).
    const server = createServer((req, res) => res.writeHead(req.url === "/gone" ? 404 : 200).end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const gone = `http://127.0.0.1:${(server.address() as AddressInfo).port}/gone`;
    try {
      const offline = createOfflineAnalyst();
      const calls: Call[] = [];
      // A model analyst (URLs are checked), answered offline; its first canvas cites the missing page.
      const analyst: Analyst = {
        kind: "openai",
        model: offline.model,
        analyze<T>(request: AnalysisRequest<T>) {
          const stage = Number(/^stage_(\d+)_/.exec(request.schemaName)?.[1]);
          calls.push({ stage, user: request.prompt.user });
          if (stage !== 8 || request.prompt.user.includes("reality gate")) return offline.analyze(request);
          const cite = (canvas: CanvasAnalysis): CanvasAnalysis => ({
            ...canvas,
            channels: canvas.channels.map((c, i) => (i === 0 ? { ...c, text: `${c.text} (source: ${gone})` } : c)),
          });
          return offline.analyze({ ...request, simulate: (rng) => cite(request.simulate(rng) as CanvasAnalysis) as T });
        },
      };
      const ventureId = await ventureFromBrief("2");
      const outcomes = await runToStage10(ventureId, analyst);
      expect(trail(outcomes).slice(-3)).toEqual(["9:rerun", "8:advanced", "9:advanced"]);
      expect(calls.filter((c) => c.stage === 6)).toHaveLength(1);
      const stage8 = calls.filter((c) => c.stage === 8);
      expect(stage8[1]?.user).toContain(
        `Previous output failed the stage 9 reality gate (first evaluation): stage 8 business_model_canvas names ${gone}: unreachable (HTTP 404)`,
      );

      const saga = await sagaOf(ventureId);
      expect(saga).toMatchObject({ status: "completed", retry_count: 1 });
      const failure = (saga.context as unknown as { failures: Failure[] }).failures[0];
      expect(failure).toMatchObject({ rerunFrom: 8, responsibleStages: [8] });
      expect(failure?.failedChecks).toEqual([
        expect.objectContaining({ name: `stage 8 URL reachable: ${gone}`, stage: 8 }),
      ]);
      // The gate's recorded inputs hold the check's result.
      const { rows } = await sql<{ urls: { url: string; status: string; httpStatus: number }[] }>`
        select o.gate_outcome -> 'inputs' -> 'urls' as urls from eva.venture_stage_work o
        where o.venture_id = ${ventureId} and o.lifecycle_stage = 9 and o.run_number = 1`.execute(t.db);
      expect(rows[0]?.urls).toEqual([expect.objectContaining({ url: gone, status: "unreachable", httpStatus: 404 })]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 120_000);

  it("kills a venture that keeps failing after 3 retries (killed_at_reality_gate), each failure kept in the saga", async () => {
    const ventureId = await ventureFromBrief("6");
    const analyst = weakStage6Analyst("always");
    const outcomes = await runToStage10(ventureId, analyst);

    const stage9 = outcomes.filter((o) => "stage" in o && o.stage === 9);
    expect(stage9.map((o) => o.outcome)).toEqual(["rerun", "rerun", "rerun", "killed"]);
    const killed = stage9[3] as { reason?: string };
    expect(killed.reason).toMatch(/^killed_at_reality_gate: the stage 9 reality gate still failed after 3 retries: /);
    expect(trail(outcomes).filter((s) => s.startsWith("6:"))).toHaveLength(4);

    // Every retry's Stage 6 prompt carries every failure before it.
    const stage6 = analyst.calls.filter((c) => c.stage === 6);
    expect(stage6.map((c) => (c.user.match(/Previous output failed the stage 9 reality gate/g) ?? []).length)).toEqual([
      0, 1, 2, 3,
    ]);
    expect(stage6[3]?.user).toContain("(retry 2): stage 6 quality 49");

    const saga = await sagaOf(ventureId);
    expect(saga).toMatchObject({ status: "failed", current_step: "exhaust", retry_count: 3, max_retries: 3 });
    const steps = (await stepsOf(t.db, saga.id)).map(({ step, status, attempts }) => ({ step, status, attempts }));
    expect(steps).toEqual([
      { step: "identify_failure", status: "completed", attempts: 4 },
      { step: "map_stages", status: "completed", attempts: 4 },
      { step: "retry_analysis", status: "completed", attempts: 3 },
      { step: "re_evaluate", status: "failed", attempts: 3 },
      { step: "decide", status: "skipped", attempts: 1 },
      { step: "exhaust", status: "completed", attempts: 1 },
    ]);
    const context = saga.context as unknown as {
      kill_reason: string;
      failures: Failure[];
      prior_failure_reasons: string[];
      versions_created: { stage: number; version: number }[];
    };
    expect(context.kill_reason).toBe("killed_at_reality_gate");
    expect(context.failures.map((f) => f.attempt)).toEqual([0, 1, 2, 3]);
    expect(
      context.failures.every((f) => f.failedChecks.some((c) => c.stage === 6 && c.name === "stage 6 quality ≥ 60")),
    ).toBe(true);
    expect(context.prior_failure_reasons).toHaveLength(4);
    expect(context.prior_failure_reasons[3]).toMatch(/^stage 9 reality gate, retry 3: /);
    // Each retry made new versions of Stages 6-9.
    expect(context.versions_created.filter((v) => v.stage === 6).map((v) => v.version)).toEqual([2, 3, 4]);

    const venture = await t.db
      .selectFrom("ventures")
      .select(["status"])
      .where("id", "=", ventureId)
      .executeTakeFirstOrThrow();
    expect(venture.status).toBe("killed");
    const history = await t.db
      .selectFrom("venture_state_history")
      .select(["to_status", "reason"])
      .where("venture_id", "=", ventureId)
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(history.to_status).toBe("killed");
    expect(history.reason).toMatch(/^killed_at_reality_gate: /);
    const { rows: events } = await sql<{ event_type: string; payload: Record<string, unknown> }>`
      select event_type, payload from eva.eva_event_log
      where venture_id = ${ventureId} and event_type in ('saga.failed', 'venture.killed') order by id`.execute(t.db);
    expect(events.map((e) => e.event_type)).toEqual(["saga.failed", "venture.killed"]);
    // The kill starts the venture's retirement (from its venture.killed event), without notice or export (a
    // reality-gate kill has no users yet).
    await settleEventBus(t);
    const retirement = await t.db
      .selectFrom("eva_sagas")
      .selectAll()
      .where("venture_id", "=", ventureId)
      .where("saga_type", "=", "venture_retirement")
      .executeTakeFirstOrThrow();
    expect(retirement).toMatchObject({ status: "active", current_step: "teardown_infra" });
    expect(retirement.context).toMatchObject({ kill_source: "reality_gate", stage_of_death: 9 });
    expect((await stepsOf(t.db, retirement.id)).map((r) => [r.step, r.status])).toEqual([
      ["notify_users", "skipped"],
      ["export_data", "skipped"],
    ]);
    expect(events[0]?.payload).toMatchObject({ kill_reason: "killed_at_reality_gate", retries: 3 });
    expect(String(events[1]?.payload.reason)).toMatch(/^killed_at_reality_gate: /);
  }, 120_000);

  it("ends an open retry when the venture ends some other way: no saga is left waiting", async () => {
    const ventureId = await ventureFromBrief("A");
    const outcomes = await runToStage10(ventureId, weakStage6Analyst("always"), (o) => o.outcome === "rerun");
    expect(trail(outcomes).at(-1)).toBe("9:rerun");
    expect(await sagaOf(ventureId)).toMatchObject({ status: "active", current_step: "retry_analysis", retry_count: 1 });
    // No request role runs the state functions (EVA's own functions do): the superuser stands in for them.
    await sql`select eva.fn_set_venture_status(${ventureId}::uuid, 'killed', 'the Chairman stopped it')`.execute(t.db);
    const saga = await sagaOf(ventureId);
    expect(saga).toMatchObject({ status: "failed", current_step: "venture_ended" });
    expect(saga.context).toMatchObject({ venture_ended: "killed", reason: "the Chairman stopped it" });
  }, 120_000);
});
