// Component 2: portfolio evaluation — how the idea fits the portfolio EVA
// runs, across five dimensions. The composite is the mean of the dimensions'
// scores, computed here (not the model's own composite).
import type { z } from "zod";
import type { Rng } from "../../stages/types.ts";
import { portfolioEvaluationSchema } from "../contract.ts";
import { ask, type StageZeroCallContext } from "./call.ts";
import { clampScore, describePath, type SynthesisInput } from "./common.ts";

export type PortfolioEvaluation = z.infer<typeof portfolioEvaluationSchema> & { componentScore: number };

const DIMENSIONS = [
  "market_fit",
  "capability_fit",
  "portfolio_synergy",
  "risk_balance",
  "strategic_alignment",
] as const;

export function simulatePortfolioEvaluation(
  input: SynthesisInput,
  rng: Rng,
): z.infer<typeof portfolioEvaluationSchema> {
  const sameKind = input.portfolio.filter((v) => v.archetype === input.path.archetypeHint).length;
  const dimensions = DIMENSIONS.map((dimension) => {
    const base = rng.int(35, 85);
    const s = dimension === "risk_balance" ? base - Math.min(30, sameKind * 5) : base;
    return {
      dimension,
      score: clampScore(s),
      rationale:
        dimension === "risk_balance"
          ? `${sameKind} venture(s) of the same archetype already in the portfolio (simulated judgement).`
          : `Simulated ${dimension.replace("_", " ")} assessment for ${input.path.name}.`,
    };
  });
  const composite = clampScore(dimensions.reduce((s, d) => s + d.score, 0) / dimensions.length);
  return {
    dimensions,
    compositeScore: composite,
    portfolioSynergyScore: dimensions.find((d) => d.dimension === "portfolio_synergy")?.score ?? composite,
  };
}

export async function portfolioEvaluation(
  ctx: StageZeroCallContext,
  input: SynthesisInput,
  concurrent = 1,
): Promise<PortfolioEvaluation> {
  const out = await ask(ctx, {
    purpose: "portfolio_evaluation",
    schemaName: "stage_00_portfolio_evaluation",
    schema: portfolioEvaluationSchema,
    concurrent,
    prompt: {
      system:
        "You are EVA's Stage 0 portfolio analyst. Assess how a new idea fits the current portfolio on market_fit, capability_fit, portfolio_synergy, risk_balance and strategic_alignment (0-100 each, with a rationale). Answer with one JSON object matching the schema.",
      user: [
        describePath(input.path),
        `Portfolio (${input.portfolio.length} active ventures):`,
        ...input.portfolio.slice(0, 30).map((v) => `- ${v.name} (${v.archetype}, stage ${v.stage}, ${v.status})`),
        "Produce: dimensions, compositeScore, portfolioSynergyScore.",
      ].join("\n"),
    },
    simulate: (rng) => simulatePortfolioEvaluation(input, rng),
  });
  const compositeScore = clampScore(out.dimensions.reduce((s, d) => s + d.score, 0) / out.dimensions.length);
  return { ...out, compositeScore, componentScore: compositeScore };
}
