// Token budgets that hold: a call that could exceed what is left is refused
// before it is sent (the stage says why, with the figures), Stage 0 briefs are
// charged to the portfolio's ideation budget, and a phase budget 80 % spent
// reaches the Chairman through the DFE's cost trigger.
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { withRole } from "../src/db/client.ts";
import { synthesizeBrief } from "../src/ideation/brief.ts";
import { ideationAllowance, ideationBudget } from "../src/ideation/budget.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { createOpenAIAnalyst } from "../src/llm/openai-analyst.ts";
import { createRng } from "../src/llm/rng.ts";
import { TokenBudgetExceeded } from "../src/llm/types.ts";
import { runStageWork } from "../src/orchestration/stage-engine.ts";
import { openVentureReview } from "../src/portfolio/decisions.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { type FakeOpenAIServer, reply, startFakeOpenAIServer } from "./helpers/fake-openai-server.ts";
import { createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startFakeOpenAIServer();
  // Only the budget's trigger is under test: no escalation for a low score.
  await withRole(t.db, "eva_chairman", (trx) =>
    trx
      .updateTable("chairman_preferences")
      .set({ value: "0" })
      .where("scope", "=", "global")
      .where("key", "=", "score_threshold")
      .execute(),
  );
});
afterEach(() => server.reset());
afterAll(async () => {
  await server.close();
  await t.drop();
});

const offline = createOfflineAnalyst();
const model = () => createOpenAIAnalyst({ apiKey: "k", baseURL: server.baseURL, model: "budget-model" });

async function openWork(ventureId: string) {
  return t.db
    .selectFrom("venture_stage_work")
    .selectAll()
    .where("venture_id", "=", ventureId)
    .where("status", "in", ["ready", "in_progress", "blocked"])
    .executeTakeFirstOrThrow();
}

/** A venture whose Stage 1 ran: Stage 2 (phase 1, an analysis) is ready. */
async function ventureAtStage2() {
  const v = await createVenture(t.db);
  await runStageWork(t.service, offline, (await openWork(v.id)).id);
  return v;
}

const asChairman = (statement: ReturnType<typeof sql>) =>
  withRole(t.db, "eva_chairman", (trx) => statement.execute(trx));

async function spent(ventureId: string, phase: number) {
  return t.db
    .selectFrom("venture_phase_budgets")
    .select(["budget_tokens", "consumed_tokens"])
    .where("venture_id", "=", ventureId)
    .where("phase_number", "=", phase)
    .executeTakeFirstOrThrow();
}

describe("a call is refused before it could overshoot", () => {
  it("blocks the stage when the estimated prompt plus the maximum completion exceed the phase's remaining budget", async () => {
    const v = await ventureAtStage2();
    // 5,000 tokens left: more than zero (the old check let this run), less than one call may take.
    await asChairman(
      sql`update eva.venture_phase_budgets set budget_tokens = 5000 where venture_id = ${v.id}::uuid and phase_number = 1`,
    );
    const work = await openWork(v.id);
    const outcome = await runStageWork(t.service, model(), work.id);
    expect(outcome.outcome).toBe("blocked");
    const reason = (outcome as { reason: string }).reason;
    expect(reason).toMatch(
      /^stage 2 refused a call: token budget: the call needs up to [\d,]+ tokens \(estimated prompt [\d,]+ \+ maximum completion 8,192\) but the phase 1 budget has 5,000 left$/,
    );
    expect(server.requests).toHaveLength(0);
    const row = await openWork(v.id);
    expect(row).toMatchObject({ id: work.id, status: "blocked", blocked_reason: reason });
    expect((await spent(v.id, 1)).consumed_tokens).toBe("0");
  });

  it("names the venture's budget when it is the tighter one", async () => {
    const v = await ventureAtStage2();
    await asChairman(sql`update eva.venture_token_budgets set budget_tokens = 6000 where venture_id = ${v.id}::uuid`);
    const outcome = await runStageWork(t.service, model(), (await openWork(v.id)).id);
    expect((outcome as { reason: string }).reason).toMatch(/but the venture's budget has 6,000 left$/);
    expect(server.requests).toHaveLength(0);
  });

  it("runs the call when it fits, and charges what the server reports", async () => {
    const v = await ventureAtStage2();
    await asChairman(
      sql`update eva.venture_phase_budgets set budget_tokens = 40000 where venture_id = ${v.id}::uuid and phase_number = 1`,
    );
    // The model's answer: what the offline analyst would say, with the server's own usage.
    let answer: unknown;
    await runStageWork(
      t.service,
      {
        kind: "offline",
        model: "capture",
        analyze: async (r) => {
          answer = r.simulate(createRng(1));
          throw new Error("captured");
        },
      },
      (await openWork(v.id)).id,
    ).catch(() => {});
    server.enqueue(reply.json(answer, { prompt_tokens: 3100, completion_tokens: 1200 }));
    const outcome = await runStageWork(t.service, model(), (await openWork(v.id)).id);
    expect(outcome).toMatchObject({ outcome: "advanced", stage: 2 });
    expect(server.requests[0]?.body.max_tokens).toBe(8192);
    expect(await spent(v.id, 1)).toEqual({ budget_tokens: "40000", consumed_tokens: "4300" });
  });

  it("bounds the repairs of one analysis too: a repair that could overshoot is not sent, and what was spent is charged", async () => {
    const analyst = createOpenAIAnalyst({ apiKey: "k", baseURL: server.baseURL, model: "m", maxCompletionTokens: 100 });
    server.enqueue(reply.content("not json", { usage: { prompt_tokens: 400, completion_tokens: 100 } }));
    const error = await analyst
      .analyze({
        schemaName: "budget_probe",
        schema: z.object({ ok: z.boolean() }),
        prompt: { system: "Answer in JSON.", user: "Is it ok?" },
        simulate: () => ({ ok: true }),
        budget: { remaining: 650, what: "the test budget" },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenBudgetExceeded);
    expect(server.requests).toHaveLength(1);
    expect((error as TokenBudgetExceeded).usage).toEqual({
      promptTokens: 400,
      completionTokens: 100,
      estimated: false,
    });
    expect((error as TokenBudgetExceeded).message).toMatch(
      /maximum completion 100\) but the test budget has 150 left$/,
    );
  });
});

describe("a phase budget nearly spent", () => {
  async function runWithPhaseSpent(share: number) {
    const v = await ventureAtStage2();
    const { budget_tokens } = await spent(v.id, 1);
    const pre = Math.round(Number(budget_tokens) * share);
    await withRole(t.db, "eva_service", (trx) =>
      sql`select eva.fn_charge_tokens(${v.id}::uuid, 1, null, 'analysis', ${pre}, 0, false, '{}')`.execute(trx),
    );
    const outcome = await runStageWork(t.service, offline, (await openWork(v.id)).id);
    return { v, outcome, limit: Number(budget_tokens) };
  }

  it("fires the DFE's cost trigger at 80 % or more, with spent, limit and percent, and asks the Chairman", async () => {
    const { v, outcome, limit } = await runWithPhaseSpent(0.85);
    expect(outcome).toMatchObject({ outcome: "awaiting_decision", stage: 2 });
    const after = Number((await spent(v.id, 1)).consumed_tokens);
    const decision = await withRole(t.db, "eva_chairman", (trx) =>
      trx
        .selectFrom("chairman_decisions")
        .select(["decision_type", "context"])
        .where("venture_id", "=", v.id)
        .executeTakeFirstOrThrow(),
    );
    expect(decision.decision_type).toBe("dfe_escalation");
    const dfe = (decision.context as { dfe: { output: string; triggers: Record<string, unknown>[] } }).dfe;
    expect(dfe.output).toBe("PRESENT_TO_CHAIRMAN_WITH_MITIGATIONS");
    const percent = Math.round((after / limit) * 1000) / 10;
    expect(dfe.triggers).toContainEqual(
      expect.objectContaining({
        type: "cost_threshold",
        value: after,
        threshold: limit,
        budget: { phase: 1, spent: after, limit, percent },
        detail: `the phase 1 token budget is ${percent}% spent (${after.toLocaleString("en-US")} of ${limit.toLocaleString("en-US")} tokens; the alert is at 80%)`,
      }),
    );
    expect(percent).toBeGreaterThanOrEqual(85);
  });

  it("stays quiet below 80 %", async () => {
    const { outcome } = await runWithPhaseSpent(0.7);
    expect(outcome).toMatchObject({ outcome: "advanced", stage: 2 });
  });
});

describe("Stage 0's ideation budget", () => {
  const idea = {
    path: "manual",
    name: "LedgerLoop",
    description: "Invoice reconciliation for small accounting firms",
    problemStatement: "Matching invoices to payments by hand",
    targetMarket: "EU accounting firms",
    urls: [],
  } as const;

  it("charges a brief to the portfolio's ideation budget, with a ledger row, and refuses a brief once it cannot fit", async () => {
    const before = await withRole(t.db, "eva_service", (trx) => ideationBudget(trx));
    expect(before).toMatchObject({ portfolioName: "EVA portfolio", budgetTokens: 1000000, consumedTokens: 0 });

    const synthesized = await synthesizeBrief(offline, { ...idea, urls: [] }, { budget: ideationAllowance(before) });
    const decisionId = await withRole(t.db, "eva_service", (trx) =>
      openVentureReview(trx, synthesized, { portfolioId: before.portfolioId }),
    );
    const cost = synthesized.usage.promptTokens + synthesized.usage.completionTokens;
    expect(cost).toBeGreaterThan(0);
    const after = await withRole(t.db, "eva_service", (trx) => ideationBudget(trx, "EVA portfolio"));
    expect(after).toMatchObject({ consumedTokens: cost, remainingTokens: 1000000 - cost });
    const ledger = await t.db
      .selectFrom("venture_budget_transactions")
      .selectAll()
      .where("portfolio_id", "=", before.portfolioId)
      .execute();
    expect(ledger).toEqual([
      expect.objectContaining({
        venture_id: null,
        lifecycle_stage: 0,
        purpose: "ideation",
        prompt_tokens: synthesized.usage.promptTokens,
        completion_tokens: synthesized.usage.completionTokens,
        estimated: true,
        provenance: expect.objectContaining({ decisionId, model: offline.model }),
      }),
    ]);

    // The Chairman leaves less than one brief costs: the next one is refused before the call.
    await asChairman(
      sql`insert into eva.portfolio_ideation_budgets (portfolio_id, budget_tokens) values (${before.portfolioId}::uuid, ${cost + 10})
          on conflict (portfolio_id) do update set budget_tokens = excluded.budget_tokens`,
    );
    const left = await withRole(t.db, "eva_service", (trx) => ideationBudget(trx));
    expect(left.remainingTokens).toBe(10);
    const error = await synthesizeBrief(
      offline,
      { ...idea, name: "LedgerLoop Two", urls: [] },
      {
        budget: ideationAllowance(left),
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenBudgetExceeded);
    expect((error as Error).message).toMatch(
      /but the ideation budget of portfolio "EVA portfolio" \([\d,]+ of [\d,]+ tokens used\) has 10 left$/,
    );
  });

  it("asks which portfolio pays when there is more than one, and names a missing one", async () => {
    await asChairman(sql`insert into eva.portfolios (name) values ('Second portfolio')`);
    await expect(withRole(t.db, "eva_service", (trx) => ideationBudget(trx))).rejects.toMatchObject({
      code: "EV400",
      message: expect.stringContaining("there are 2 portfolios"),
    });
    await expect(withRole(t.db, "eva_service", (trx) => ideationBudget(trx, "Nope"))).rejects.toMatchObject({
      code: "EV404",
    });
    const second = await withRole(t.db, "eva_service", (trx) => ideationBudget(trx, "Second portfolio"));
    expect(second).toMatchObject({ portfolioName: "Second portfolio", budgetTokens: 1000000, consumedTokens: 0 });
  });
});
