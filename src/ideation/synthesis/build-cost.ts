// Component 8: build cost estimation with EHG's context (AI agents build,
// engineering reviews): simple, moderate or complex, months and cost.
// Scored simple 100, moderate 60, complex 25.
import type { z } from "zod";
import type { Rng } from "../../stages/types.ts";
import { buildCostSchema } from "../contract.ts";
import { ask, type StageZeroCallContext } from "./call.ts";
import { describePath, type SynthesisInput } from "./common.ts";

export type BuildCost = z.infer<typeof buildCostSchema> & { componentScore: number };

export const BUILD_COST_SCORES = { simple: 100, moderate: 60, complex: 25 } as const;

export function simulateBuildCost(input: SynthesisInput, rng: Rng): z.infer<typeof buildCostSchema> {
  const complexity = rng.pick(["simple", "moderate", "moderate", "complex"] as const);
  const months = complexity === "simple" ? rng.int(1, 3) : complexity === "moderate" ? rng.int(3, 8) : rng.int(8, 18);
  const roles =
    complexity === "simple"
      ? ["AI build agent", "reviewing engineer"]
      : ["AI build agents", "reviewing engineer", "designer"];
  return {
    complexity,
    months,
    estimatedCostUsd: months * roles.length * 9_000,
    teamRoles: roles,
    drivers: [
      `Simulated: ${input.path.archetypeHint === "marketplace" ? "two-sided onboarding" : "core workflow"} for ${input.path.name}`,
      complexity === "complex" ? "Simulated: regulated data or integrations" : "Simulated: standard web stack",
    ],
  };
}

export async function estimateBuildCost(
  ctx: StageZeroCallContext,
  input: SynthesisInput,
  concurrent = 1,
): Promise<BuildCost> {
  const out = await ask(ctx, {
    purpose: "build_cost",
    schemaName: "stage_00_build_cost",
    schema: buildCostSchema,
    concurrent,
    prompt: {
      system:
        "You are EVA's Stage 0 build estimator. EHG builds with AI agents and a reviewing engineer. Classify the build as simple, moderate or complex and estimate months, cost in USD, team roles and the cost drivers. Answer with one JSON object matching the schema.",
      user: `${describePath(input.path)}\nProduce: complexity, months, estimatedCostUsd, teamRoles, drivers.`,
    },
    simulate: (rng) => simulateBuildCost(input, rng),
  });
  return { ...out, componentScore: BUILD_COST_SCORES[out.complexity] };
}
