// Component 3: problem reframing — alternative framings of the problem; the
// score is the count of distinct framings (20 points each, at most 100).
import type { z } from "zod";
import type { Rng } from "../../stages/types.ts";
import { problemReframingSchema } from "../contract.ts";
import { ask, type StageZeroCallContext } from "./call.ts";
import { describePath, type SynthesisInput } from "./common.ts";

export type ProblemReframing = z.infer<typeof problemReframingSchema> & { componentScore: number };

export function reframingScore(count: number): number {
  return Math.min(100, Math.max(0, count) * 20);
}

export function simulateProblemReframing(input: SynthesisInput, rng: Rng): z.infer<typeof problemReframingSchema> {
  const { problemStatement, targetMarket, name } = input.path;
  const angles = [
    { angle: "cost", framing: `The real problem is cost: ${targetMarket} pay too much to solve it today.` },
    { angle: "time", framing: `The real problem is time: ${targetMarket} wait too long for an answer.` },
    { angle: "trust", framing: `The real problem is trust: ${targetMarket} cannot verify the result they get today.` },
    { angle: "access", framing: `The real problem is access: most of ${targetMarket} cannot get it at all.` },
    {
      angle: "workflow",
      framing: `The real problem is the workflow around it, not the task itself, for ${targetMarket}.`,
    },
  ];
  const reframings = rng.sample(angles, rng.int(1, 4)).map((a) => ({
    framing: a.framing,
    angle: a.angle,
    whyBetter: `Simulated: a narrower angle for ${name} to test first.`,
  }));
  return {
    reframings,
    recommendedProblemStatement:
      problemStatement.length >= 20 ? problemStatement : `${problemStatement} for ${targetMarket}`,
  };
}

export async function problemReframing(
  ctx: StageZeroCallContext,
  input: SynthesisInput,
  concurrent = 1,
): Promise<ProblemReframing> {
  const out = await ask(ctx, {
    purpose: "problem_reframing",
    schemaName: "stage_00_problem_reframing",
    schema: problemReframingSchema,
    concurrent,
    prompt: {
      system:
        "You are EVA's Stage 0 problem analyst. Offer up to five genuinely different framings of the venture's problem (angle, framing, why it may be better) and the problem statement you recommend. Answer with one JSON object matching the schema.",
      user: `${describePath(input.path)}\nProduce: reframings, recommendedProblemStatement.`,
    },
    simulate: (rng) => simulateProblemReframing(input, rng),
  });
  const distinct = new Set(out.reframings.map((r) => r.framing.trim().toLowerCase())).size;
  return { ...out, componentScore: reframingScore(distinct) };
}
