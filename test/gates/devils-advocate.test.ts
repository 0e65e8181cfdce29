// The Devil's Advocate: reviewed through the offline analyst (deterministic,
// harder on weak artifacts), skipped — never thrown — when the analyst fails
// or the stage has no Devil's Advocate gate, and its own adversarial prompt.
import { describe, expect, it } from "vitest";
import {
  DEVILS_ADVOCATE_SCHEMA_NAME,
  DEVILS_ADVOCATE_STAGES,
  type DevilsAdvocateInput,
  type DevilsAdvocateOutcome,
  type DevilsAdvocateReview,
  devilsAdvocatePrompt,
  devilsAdvocateReviewSchema,
  reviewAsDevilsAdvocate,
} from "../../src/gates/devils-advocate.ts";
import type { GateDecision, GateEvaluation } from "../../src/gates/types.ts";
import { createOfflineAnalyst } from "../../src/llm/offline-analyst.ts";
import { AnalysisFailed, type AnalysisRequest, type AnalysisResult, type Analyst } from "../../src/llm/types.ts";
import { ventureProfile } from "../../src/stages/simulation.ts";
import type { VentureBrief } from "../../src/stages/types.ts";
import { strongest, weakest } from "../stages/fixtures-10-17.ts";
import { ARTIFACT_TYPE, chainThrough, spreadVentures } from "../stages/fixtures-18-25.ts";

type Content = Record<string, unknown>;
const rec = (x: unknown): Content => (x && typeof x === "object" ? (x as Content) : {});
const decision = (d: string, checks: GateDecision["checks"] = []): GateEvaluation => ({
  gate: { decision: d, rationale: `decided ${d}`, checks, inputs: {} },
  reality: null,
});

/** A gate decision for a DA stage's artifact, by the spec's rules in short (the gate functions are tested elsewhere). */
function gateFor(stage: number, a: Content): GateEvaluation {
  switch (stage) {
    case 3: {
      const overall = Number(a.overallScore);
      const low = Object.values(rec(a.metrics)).some((m) => Number(m) < 50);
      return decision(overall >= 70 && !low ? "pass" : overall >= 50 && !low ? "revise" : "kill");
    }
    case 5: {
      const p = rec(a.projections);
      const ue = rec(a.unitEconomics);
      const be = p.breakEvenMonth as number | null;
      const pass =
        Number(p.roi3y) >= 0.25 &&
        be !== null &&
        be <= 24 &&
        Number(ue.ltvCacRatio) >= 2 &&
        Number(ue.paybackMonths) <= 18;
      return decision(pass ? "pass" : "kill");
    }
    case 13: {
      const now = ((a.milestones as Content[]) ?? []).filter((m) => m.priority === "now");
      return decision(now.some((m) => (m.deliverables as unknown[]).length > 0) ? "pass" : "kill");
    }
    case 16:
      return decision(Number(a.cashBalanceEnd) >= 0 && !(a.viabilityWarnings as unknown[]).length ? "release" : "hold");
    case 17:
      return decision(String(rec(a.buildReadiness).decision));
    case 22:
      return decision(String(rec(a.releaseDecision).decision));
    case 23:
      return decision(a.goDecision === "go" ? "pass" : "kill");
    default:
      return { gate: null, reality: null };
  }
}

function inputAt(venture: VentureBrief, stage: number): DevilsAdvocateInput {
  const artifact = chainThrough(venture, 25)[ARTIFACT_TYPE[stage] as string]?.content ?? {};
  return { stage, venture, artifact, gate: gateFor(stage, artifact) };
}

function reviewed(outcome: DevilsAdvocateOutcome): DevilsAdvocateReview {
  if (outcome.status !== "reviewed") throw new Error(`expected a review, got skipped: ${outcome.reason}`);
  return outcome.review;
}

/** An analyst that records its requests and answers with `answer`. */
function fakeAnalyst(
  answer: (request: AnalysisRequest<unknown>) => unknown,
): Analyst & { requests: AnalysisRequest<unknown>[] } {
  const requests: AnalysisRequest<unknown>[] = [];
  return {
    kind: "openai",
    model: "fake-model",
    requests,
    async analyze<T>(request: AnalysisRequest<T>): Promise<AnalysisResult<T>> {
      requests.push(request as AnalysisRequest<unknown>);
      const output = request.schema.parse(answer(request as AnalysisRequest<unknown>));
      return {
        output,
        usage: { promptTokens: 100, completionTokens: 50, estimated: false },
        provenance: {
          analyst: "openai",
          model: "fake-model",
          promptHash: "abc",
          temperature: 0.2,
          seed: null,
          attempts: 1,
          cached: false,
        },
        epistemic: "assumption",
      };
    },
  };
}

describe("where the Devil's Advocate reviews", () => {
  it("is the kill gates 3, 5, 13, 23 and the promotion gates 16, 17, 22", () => {
    expect([...DEVILS_ADVOCATE_STAGES]).toEqual([3, 5, 13, 16, 17, 22, 23]);
  });

  it("skips a stage without a Devil's Advocate gate, without calling the analyst", async () => {
    const analyst = fakeAnalyst(() => {
      throw new Error("must not be called");
    });
    for (const stage of [2, 4, 10, 20, 25]) {
      const outcome = await reviewAsDevilsAdvocate(analyst, { ...inputAt(strongest, 3), stage });
      expect(outcome).toEqual({ status: "skipped", reason: `Stage ${stage} has no Devil's Advocate gate` });
    }
    expect(analyst.requests).toHaveLength(0);
  });
});

describe("when the analyst fails", () => {
  it("skips with the reason and the failed attempts' usage on AnalysisFailed, never throwing", async () => {
    const usage = { promptTokens: 900, completionTokens: 40, estimated: false };
    const analyst: Analyst = {
      kind: "openai",
      model: "gpt-4o",
      analyze: async () => {
        throw new AnalysisFailed("server answered 503 three times", { usage, attempts: 3, retryable: true });
      },
    };
    const outcome = await reviewAsDevilsAdvocate(analyst, inputAt(strongest, 5));
    expect(outcome).toEqual({
      status: "skipped",
      reason: "the openai analyst failed after 3 attempt(s): server answered 503 three times",
      usage,
      // The call itself failed (retryable): it counts against the circuit breakers.
      callFailed: true,
    });
  });

  it("skips on any other error too (graceful fallback)", async () => {
    const analyst: Analyst = {
      kind: "openai",
      model: "gpt-4o",
      analyze: async () => {
        throw new TypeError("fetch failed");
      },
    };
    const outcome = await reviewAsDevilsAdvocate(analyst, inputAt(strongest, 13));
    expect(outcome).toMatchObject({ status: "skipped", reason: "the openai analyst could not review: fetch failed" });
  });
});

describe("through a model", () => {
  it("asks with its own schema and prompt and returns the model's review with usage and provenance", async () => {
    const answer: DevilsAdvocateReview = {
      counterArguments: ["Break-even relies on a 40% conversion nobody has measured."],
      risks: [{ risk: "Churn doubles", severity: "high" }],
      alternatives: ["Pilot with three clinics"],
      verdict: "challenge",
      summary: "The model is optimistic.",
    };
    const analyst = fakeAnalyst(() => answer);
    const outcome = await reviewAsDevilsAdvocate(analyst, inputAt(strongest, 5));
    expect(outcome).toMatchObject({ status: "reviewed", review: answer, epistemic: "assumption" });
    expect(outcome).toHaveProperty("usage.promptTokens", 100);
    expect(outcome).toHaveProperty("provenance.model", "fake-model");
    expect(analyst.requests[0]?.schemaName).toBe(DEVILS_ADVOCATE_SCHEMA_NAME);
  });

  it("rejects a review outside its schema (the analyst's repair loop or failure takes over)", () => {
    const ok = {
      counterArguments: ["x"],
      risks: [{ risk: "y", severity: "low" }],
      alternatives: [],
      verdict: "concur",
      summary: "z",
    };
    expect(devilsAdvocateReviewSchema.safeParse(ok).success).toBe(true);
    expect(devilsAdvocateReviewSchema.safeParse({ ...ok, verdict: "maybe" }).success).toBe(false);
    expect(devilsAdvocateReviewSchema.safeParse({ ...ok, counterArguments: [] }).success).toBe(false);
    expect(devilsAdvocateReviewSchema.safeParse({ ...ok, risks: [{ risk: "y", severity: "severe" }] }).success).toBe(
      false,
    );
  });
});

describe("the adversarial prompt", () => {
  it("is built from the venture, the gate decision (with its failed checks) and the artifact", () => {
    const input = {
      ...inputAt(weakest, 3),
      gate: decision("kill", [
        { name: "overall_score", passed: false, detail: "overall 33.1 < 50" },
        { name: "metrics", passed: true, detail: "ok" },
      ]),
    };
    const { system, user } = devilsAdvocatePrompt(input);
    expect(system).toContain("Devil's Advocate");
    expect(system).toContain("independent of the analyst");
    expect(system).toContain("argue against the case for moving this venture forward");
    expect(user).toContain(weakest.valueProp);
    expect(user).toContain("Stage 3 — Individual Validation (kill gate)");
    expect(user).toContain("Gate decision: kill — decided kill");
    expect(user).toContain("- failed check overall_score: overall 33.1 < 50");
    expect(user).not.toContain("failed check metrics");
    expect(user).toContain(JSON.stringify(input.artifact));
  });

  it("says when the gate has not been evaluated", () => {
    expect(devilsAdvocatePrompt({ ...inputAt(strongest, 16), gate: null }).user).toContain(
      "Gate decision: not yet evaluated",
    );
  });
});

describe("the offline analyst's review", () => {
  it("is schema-valid at every Devil's Advocate gate, labelled a simulation, and the same every time", async () => {
    for (const venture of [strongest, weakest]) {
      for (const stage of DEVILS_ADVOCATE_STAGES) {
        const input = inputAt(venture, stage);
        const a = await reviewAsDevilsAdvocate(createOfflineAnalyst(), input);
        const b = await reviewAsDevilsAdvocate(createOfflineAnalyst(), input);
        expect(a).toEqual(b);
        expect(a).toMatchObject({ status: "reviewed", epistemic: "simulation", provenance: { analyst: "offline" } });
        expect(devilsAdvocateReviewSchema.parse(reviewed(a))).toEqual(reviewed(a));
      }
    }
  });

  it("concurs with the strongest venture's Stage 3 pass and challenges the weakest's kill", async () => {
    const analyst = createOfflineAnalyst();
    const strong = reviewed(await reviewAsDevilsAdvocate(analyst, inputAt(strongest, 3)));
    const weak = reviewed(await reviewAsDevilsAdvocate(analyst, inputAt(weakest, 3)));
    expect(inputAt(strongest, 3).gate?.gate?.decision).toBe("pass");
    expect(strong.verdict).toBe("concur");
    expect(weak.verdict).toBe("challenge");
    expect(weak.counterArguments.length).toBeGreaterThan(strong.counterArguments.length);
    expect(weak.summary).toContain("does not survive scrutiny");
  });

  it("argues from the artifact's own numbers", async () => {
    const input = inputAt(weakest, 3);
    const review = reviewed(await reviewAsDevilsAdvocate(createOfflineAnalyst(), input));
    expect(review.counterArguments.join(" ")).toContain(`overall score of ${input.artifact.overallScore}`);
  });

  it("challenges weak ventures more often, and with harsher risks, than strong ones", async () => {
    const analyst = createOfflineAnalyst();
    const SEVERITY = { low: 1, medium: 2, high: 3, critical: 4 } as const;
    const tally = async (ventures: VentureBrief[]) => {
      let challenges = 0;
      let severity = 0;
      let risks = 0;
      for (const v of ventures) {
        for (const stage of DEVILS_ADVOCATE_STAGES) {
          const review = reviewed(await reviewAsDevilsAdvocate(analyst, inputAt(v, stage)));
          if (review.verdict === "challenge") challenges++;
          for (const r of review.risks) {
            severity += SEVERITY[r.severity];
            risks++;
          }
        }
      }
      return {
        challengeRate: challenges / (ventures.length * DEVILS_ADVOCATE_STAGES.length),
        severity: severity / risks,
      };
    };
    const strong = await tally(spreadVentures.filter((v) => ventureProfile(v).strength >= 0.6));
    const weak = await tally(spreadVentures.filter((v) => ventureProfile(v).strength < 0.35));
    expect(weak.challengeRate).toBeGreaterThan(strong.challengeRate + 0.2);
    expect(weak.severity).toBeGreaterThan(strong.severity);
  });
});
