// `eva gates replay`: what-if without a model. A venture runs from Stage 1 to
// its Stage 25 review through the real OpenAI-compatible path, pointed at a
// local server that answers as a model would (each stage's own simulation of
// the context the engine sent) and counts every request. Replays, with and
// without --set, must leave that count unchanged: zero LLM calls.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVILS_ADVOCATE_SCHEMA_NAME } from "../src/gates/devils-advocate.ts";
import { DEFAULT_PROFILE, profileFromPreferences } from "../src/gates/profiles.ts";
import type { GateReplay } from "../src/gates/replay.ts";
import { createRng } from "../src/llm/rng.ts";
import { parseStageContext, toStageContext } from "../src/stages/context.ts";
import { stageDefinition } from "../src/stages/index.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { type ChatBody, reply, startFakeOpenAIServer } from "./helpers/fake-openai-server.ts";

const _run = promisify(execFile);
const t = await createTestDatabase();
const model = await startFakeOpenAIServer();
afterAll(async () => {
  await model.close();
  await t.drop();
});

const MODEL_ENV = {
  DATABASE_URL: t.url,
  OPENAI_BASE_URL: model.baseURL,
  OPENAI_API_KEY: "test-key",
  EVA_LLM_MODEL: "counting-model",
  EVA_ANALYST: undefined,
};

const eva = (args: string[], env: Record<string, string | undefined> = MODEL_ENV) =>
  runEva(args, env, { timeout: 120_000 });

async function evaJson<T>(args: string[], env?: Record<string, string | undefined>): Promise<T> {
  const r = await eva([...args, "--json"], env);
  if (r.code !== 0) throw new Error(`eva ${args.join(" ")} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** The model: the stage's own simulation of the context of the stage now running, seeded as the request says. */
async function answer(body: ChatBody): Promise<unknown> {
  const name = body.response_format?.json_schema?.name ?? "";
  if (name === DEVILS_ADVOCATE_SCHEMA_NAME) {
    return {
      counterArguments: ["The evidence is thinner than the score suggests."],
      risks: [{ risk: "Demand is assumed, not measured", severity: "medium" }],
      alternatives: ["Run a smaller pilot first"],
      verdict: "concur",
      summary: "The case holds, with the usual caveats.",
    };
  }
  const stage = Number(/^stage_(\d+)_/.exec(name)?.[1]);
  const definition = stageDefinition(stage);
  if (!definition) throw new Error(`no stage in schema name "${name}"`);
  const work = await t.db
    .selectFrom("venture_stage_work")
    .select("id")
    .where("lifecycle_stage", "=", stage)
    .where("status", "=", "in_progress")
    .executeTakeFirstOrThrow();
  const { rows } = await sql<{ ctx: unknown }>`select eva.fn_stage_context(${work.id}::uuid) as ctx`.execute(t.db);
  return definition.simulate(toStageContext(parseStageContext(rows[0]?.ctx)), createRng(body.seed ?? 1));
}

interface RunState {
  status: string;
  stage: number;
  stoppedBecause: string;
  pendingDecision?: { id: string; type: string };
}

const replay = (...args: string[]) => evaJson<GateReplay[]>(["gates", "replay", ventureId, ...args]);
let ventureId = "";
let calls = 0;

beforeAll(async () => {
  model.setFallback(reply.respond(answer));
  // The idea: Stage 0's teardown of wonka.com, a venture strong enough to pass every gate (test/phase-a.test.ts).
  const offline = { DATABASE_URL: t.url, EVA_ANALYST: "offline" };
  const ideated = await evaJson<{ decisionId: string }>(
    ["ideate", "--path", "competitor_teardown", "--urls", "https://wonka.com"],
    offline,
  );
  ventureId = (await evaJson<{ ventureId: string }>(["decisions", "approve", ideated.decisionId], offline)).ventureId;
  for (let i = 0; i < 12; i++) {
    const state = await evaJson<RunState>(["run", ventureId]);
    const pending = state.pendingDecision;
    if (state.status === "killed" || pending?.type === "venture_future") break;
    if (pending?.type === "release_decision") await evaJson(["decisions", "decide", pending.id, "release"], offline);
    else if (pending) await evaJson(["decisions", "approve", pending.id], offline);
    else if (/waiting for engineering/.test(state.stoppedBecause)) {
      const items = await evaJson<{ id: string; kind: string; status: string }[]>(["sd", "list", ventureId], offline);
      for (const item of items.filter((x) => x.kind === "child" && x.status !== "succeeded")) {
        const r = await eva(
          ["sd", "complete", item.id, "--status", "succeeded", "--tests-passed", "140", "--tests-failed", "0"].concat([
            "--coverage",
            "86",
          ]),
          offline,
        );
        expect(r.stderr).toBe("");
      }
    } else break;
  }
  calls = model.requests.length;
}, 300_000);

// Each test starts the eva command a few times: on a loaded machine that takes longer than the default 30 s.
describe("eva gates replay", { timeout: 180_000 }, () => {
  it("ran the venture through the model: every gated stage's outcome is recorded with its replay inputs", async () => {
    expect(calls).toBeGreaterThan(20);
    const outcomes = await t.db
      .selectFrom("venture_stage_work")
      .select(["lifecycle_stage as stage", "gate_outcome"])
      .where("venture_id", "=", ventureId)
      .where("gate_decision", "is not", null)
      .execute();
    expect(new Set(outcomes.map((o) => o.stage))).toEqual(new Set([3, 5, 9, 12, 13, 16, 17, 19, 20, 21, 22, 23, 25]));
    for (const o of outcomes) {
      expect(o.gate_outcome).toMatchObject({
        replayInputs: { format: 1, artifact: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } },
      });
    }
  });

  it("without --set, replays every stage's gate and DFE exactly as recorded, with zero model calls", async () => {
    const rows = await replay();
    expect(model.requests.length).toBe(calls);
    expect(rows.map((r) => r.stage)).toEqual([3, 5, 9, 12, 13, 16, 17, 19, 20, 21, 22, 23, 25]);
    for (const r of rows) {
      expect(r.replayedFrom).toBe("recorded inputs");
      expect(r.recorded.dfe).not.toBeNull();
      expect(r.replayed).toEqual(r.recorded);
      expect(r.changed).toEqual([]);
    }
    // The reality gates on leaving a phase are replayed too.
    expect(rows.find((r) => r.stage === 5)?.replayed.reality).toBe(rows.find((r) => r.stage === 5)?.recorded.reality);
    expect(rows.filter((r) => r.recorded.reality !== null).map((r) => r.stage)).toEqual([5, 16, 20]);
  });

  it("--set stage3.pass_threshold above the venture's score flips Stage 3 to revise, with zero model calls", async () => {
    const stage3 = await t.db
      .selectFrom("venture_stage_work")
      .select(sql<number>`(gate_outcome -> 'inputs' ->> 'overallScore')::numeric`.as("score"))
      .where("venture_id", "=", ventureId)
      .where("lifecycle_stage", "=", 3)
      .executeTakeFirstOrThrow();
    const above = Math.floor(Number(stage3.score)) + 1;
    expect(above).toBeLessThanOrEqual(100);
    const rows = await replay("--stage", "3", "--set", `stage3.pass_threshold=${above}`);
    expect(model.requests.length).toBe(calls);
    expect(rows).toEqual([
      expect.objectContaining({
        stage: 3,
        recorded: expect.objectContaining({
          decision: "pass",
          dfe: expect.objectContaining({ output: "AUTO_PROCEED" }),
        }),
        replayed: expect.objectContaining({
          decision: "revise",
          dfe: expect.objectContaining({ output: expect.any(String) }),
        }),
      }),
    ]);
    expect(rows[0]?.changed).toContain("decision pass → revise");
    expect(rows[0]?.replayed.rationale).toContain(`revise band (50-${above})`);
    // A DFE preference moves the DFE the same way: Stage 3's score now counts as low.
    const dfe = await replay("--stage", "3", "--set", `score_threshold=${above}`);
    expect(dfe[0]?.replayed.decision).toBe("pass");
    expect(dfe[0]?.replayed.dfe).toMatchObject({ output: "PRESENT_TO_CHAIRMAN", triggers: ["low_score"] });
    expect(model.requests.length).toBe(calls);
  });

  it("prints recorded beside replayed as a table, and never opens an analyst (an unusable analyst setting does not matter)", async () => {
    const r = await eva(["gates", "replay", ventureId, "--set", "stage3_pass_threshold=100"], {
      ...MODEL_ENV,
      EVA_ANALYST: "no-such-analyst",
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("what-if: stage3_pass_threshold=100 (over the preferences recorded with each outcome)");
    expect(lines[2]).toMatch(/^STAGE +GATE +RUN +RECORDED +REPLAYED +DFE RECORDED +DFE REPLAYED +CHANGED$/);
    expect(lines.find((l) => l.startsWith("3 "))).toMatch(
      /^3 +kill +1 +pass +revise +AUTO_PROCEED .*decision pass → revise/,
    );
    expect(lines.find((l) => l.startsWith("5 "))).toMatch(
      /^5 +kill +1 +pass \(reality \w+\) +pass \(reality \w+\) .* —$/,
    );
    expect(r.stdout).toContain("stage 3 replayed: Overall score");
    expect(model.requests.length).toBe(calls);
  });

  it("refuses unknown keys, unusable values and ungated stages, naming the flag (exit 2)", async () => {
    const unknown = await eva(["gates", "replay", ventureId, "--set", "stage3.pass_treshold=75"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: --set unknown key "stage3.pass_treshold"/);
    expect(unknown.stdout).toBe("");
    const bad = await eva(["gates", "replay", ventureId, "--set", "stage3_pass_threshold=high"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--set stage3_pass_threshold=high: not a number");
    const stage = await eva(["gates", "replay", ventureId, "--stage", "4"]);
    expect(stage.code).toBe(2);
    expect(stage.stderr).toContain("--stage 4: stage 4 has no gate");
    const venture = await eva(["gates", "replay", "no-such-venture"]);
    expect(venture.code).toBe(1);
    expect(venture.stderr).toContain('no venture "no-such-venture"');
    expect(model.requests.length).toBe(calls);
  });

  it("an outcome recorded without DFE inputs replays its gate only and says why, never guessing", async () => {
    await sql`update eva.venture_stage_work set gate_outcome = gate_outcome - 'replayInputs'
      where venture_id = ${ventureId} and lifecycle_stage = 13`.execute(t.db);
    const [row] = await replay("--stage", "13");
    expect(row).toMatchObject({
      stage: 13,
      replayedFrom: "gate inputs only",
      replayed: {
        decision: row?.recorded.decision,
        dfe: null,
        reason: expect.stringContaining("DFE cannot be replayed"),
      },
      changed: [],
    });
    const [moved] = await replay("--stage", "13", "--set", "stage13_now_horizon_months=1");
    expect(moved?.replayed.decision).toBe(row?.recorded.decision);
    expect(moved?.replayed.reason).toContain("--set is not applied to it");
    expect(model.requests.length).toBe(calls);
  });

  it("seeds the Stage 3, 5 and 20 thresholds as global preferences equal to the gates' defaults", async () => {
    const rows = await t.db
      .selectFrom("chairman_preferences")
      .select(["key", "value"])
      .where("scope", "=", "global")
      .where("key", "~", "^stage(3|5|20)_")
      .execute();
    expect(rows).toHaveLength(12);
    const profile = profileFromPreferences(Object.fromEntries(rows.map((r) => [r.key, r.value])));
    expect(profile.rejected).toEqual([]);
    expect({ stage3: profile.stage3, stage5: profile.stage5, stage20: profile.stage20 }).toEqual({
      stage3: DEFAULT_PROFILE.stage3,
      stage5: DEFAULT_PROFILE.stage5,
      stage20: DEFAULT_PROFILE.stage20,
    });
  });
});
