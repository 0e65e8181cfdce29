// Component 5: the Chairman's constraints, run after the other seven (it
// reads their results and the forecast). EVA checks what it can measure
// itself — the build cost against the Chairman's cost_threshold, the
// preliminary weighted score against score_threshold, unit economics — and
// the analyst reads the idea against the Chairman's other directives. The
// verdict is the worst check (fail > review > pass), computed here.
import type { z } from "zod";
import type { Forecast } from "../contract.ts";
import { chairmanConstraintsSchema } from "../contract.ts";
import type { BuildCost } from "./build-cost.ts";
import { ask, type StageZeroCallContext } from "./call.ts";
import { describePath, type SynthesisInput } from "./common.ts";

export type ChairmanConstraints = z.infer<typeof chairmanConstraintsSchema> & { componentScore: number };
type Check = ChairmanConstraints["checks"][number];

export const CONSTRAINT_SCORES = { pass: 100, review: 50, fail: 0 } as const;
const RANK = { pass: 0, review: 1, fail: 2 } as const;

export interface ConstraintFacts {
  buildCost: Pick<BuildCost, "estimatedCostUsd" | "complexity">;
  forecast: Forecast;
  /** The weighted score of the components known so far (without this one); null when indeterminate. */
  preliminaryScore: number | null;
}

/** The checks EVA measures itself from the Chairman's preferences and the other components. */
export function measuredChecks(preferences: Record<string, string>, facts: ConstraintFacts): Check[] {
  const checks: Check[] = [];
  const cost = Number(preferences.cost_threshold);
  if (Number.isFinite(cost) && preferences.cost_threshold !== undefined) {
    const over = facts.buildCost.estimatedCostUsd > cost;
    checks.push({
      constraint: "cost_threshold",
      result: over ? "review" : "pass",
      detail: `estimated build cost $${Math.round(facts.buildCost.estimatedCostUsd).toLocaleString("en-US")} ${over ? "exceeds" : "is within"} the Chairman's cost threshold $${cost.toLocaleString("en-US")}`,
      basis: "measured",
    });
  }
  const threshold = Number(preferences.score_threshold);
  if (Number.isFinite(threshold) && preferences.score_threshold !== undefined) {
    checks.push(
      facts.preliminaryScore === null
        ? {
            constraint: "score_threshold",
            result: "review",
            detail:
              "the weighted score is indeterminate (no component scored): the Chairman's threshold cannot be checked",
            basis: "measured",
          }
        : {
            constraint: "score_threshold",
            result: facts.preliminaryScore < threshold ? "review" : "pass",
            detail: `weighted score ${facts.preliminaryScore} ${facts.preliminaryScore < threshold ? "is below" : "meets"} the Chairman's score threshold ${threshold}`,
            basis: "measured",
          },
    );
  }
  const ratio = facts.forecast.unitEconomics.ltvToCac.realistic;
  checks.push({
    constraint: "unit_economics",
    result: ratio < 1 ? "fail" : "pass",
    detail:
      ratio < 1
        ? `the realistic forecast loses money on every customer (LTV:CAC ${ratio} < 1)`
        : `realistic LTV:CAC ${ratio} ≥ 1`,
    basis: "measured",
  });
  return checks;
}

export function verdictOf(checks: readonly Check[]): Check["result"] {
  return checks.reduce<Check["result"]>((worst, c) => (RANK[c.result] > RANK[worst] ? c.result : worst), "pass");
}

export async function chairmanConstraints(
  ctx: StageZeroCallContext,
  input: SynthesisInput,
  facts: ConstraintFacts,
): Promise<ChairmanConstraints> {
  const measured = measuredChecks(input.preferences, facts);
  const directives = Object.entries(input.preferences).filter(
    ([k]) => k !== "cost_threshold" && k !== "score_threshold",
  );
  const out = await ask(ctx, {
    purpose: "chairman_constraints",
    schemaName: "stage_00_chairman_constraints",
    schema: chairmanConstraintsSchema,
    prompt: {
      system:
        "You are EVA's Stage 0 compliance reader. Check the venture against each of the Chairman's directives: pass, review (needs the Chairman's eye) or fail (contradicts a directive). Mark every check basis judgement. Answer with one JSON object matching the schema.",
      user: [
        describePath(input.path),
        "The Chairman's directives:",
        ...(directives.length ? directives.map(([k, v]) => `- ${k}: ${v}`) : ["(none beyond thresholds)"]),
        "Already measured by EVA:",
        ...measured.map((c) => `- ${c.constraint}: ${c.result} (${c.detail})`),
        "Produce: checks (constraint, result, detail, basis), verdict.",
      ].join("\n"),
    },
    simulate: () => ({
      checks: directives.length
        ? directives.map(([k]) => ({
            constraint: k,
            result: "pass" as const,
            detail: `Simulated reading: nothing in the idea contradicts ${k}.`,
            basis: "judgement" as const,
          }))
        : [
            {
              constraint: "directives",
              result: "pass" as const,
              detail: "No directive beyond the thresholds.",
              basis: "judgement" as const,
            },
          ],
      verdict: "pass" as const,
    }),
  });
  // EVA's own measurements stand whatever the analyst says about them.
  const judged = out.checks
    .filter((c) => !measured.some((m) => m.constraint === c.constraint))
    .map((c) => ({ ...c, basis: "judgement" as const }));
  const checks = [...measured, ...judged];
  const verdict = verdictOf(checks);
  return { checks, verdict, componentScore: CONSTRAINT_SCORES[verdict] };
}
