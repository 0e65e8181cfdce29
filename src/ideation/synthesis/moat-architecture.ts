// Component 4: moat architecture — a primary moat of the five types
// (data_moat, automation_speed, vertical_expertise, network_effects,
// switching_costs), secondary moats, how long each takes to compound (1-24
// months), and the portfolio synergy; scored by the moat score (0-100).
import type { z } from "zod";
import type { Rng } from "../../stages/types.ts";
import { MOAT_TYPES, moatArchitectureSchema } from "../contract.ts";
import { ask, type StageZeroCallContext } from "./call.ts";
import { clampScore, describePath, type SynthesisInput } from "./common.ts";

export type MoatArchitecture = z.infer<typeof moatArchitectureSchema> & { componentScore: number };

const WHY: Record<(typeof MOAT_TYPES)[number], string> = {
  data_moat: "usage data that improves the product with every customer",
  automation_speed: "delivering in minutes what competitors deliver in days",
  vertical_expertise: "encoded know-how of one industry that generalists lack",
  network_effects: "each new user making the product more valuable to the others",
  switching_costs: "workflows and history customers would lose by leaving",
};

export function simulateMoatArchitecture(input: SynthesisInput, rng: Rng): z.infer<typeof moatArchitectureSchema> {
  const preferred =
    input.path.archetypeHint === "marketplace"
      ? "network_effects"
      : input.path.origin === "blueprint_browse"
        ? "vertical_expertise"
        : rng.pick(MOAT_TYPES);
  const others = rng.sample(
    MOAT_TYPES.filter((m) => m !== preferred),
    rng.int(1, 3),
  );
  return {
    primaryMoat: { type: preferred, rationale: `Simulated: ${WHY[preferred]}.`, compoundingMonths: rng.int(3, 18) },
    secondaryMoats: others.map((type) => ({
      type,
      rationale: `Simulated: ${WHY[type]}.`,
      compoundingMonths: rng.int(6, 24),
    })),
    portfolioSynergy: `Simulated: shares ${input.portfolio.length ? "customers or data with the portfolio's ventures" : "nothing yet (no active ventures)"}.`,
    moatScore: rng.int(30, 90),
  };
}

export async function moatArchitecture(
  ctx: StageZeroCallContext,
  input: SynthesisInput,
  concurrent = 1,
): Promise<MoatArchitecture> {
  const out = await ask(ctx, {
    purpose: "moat_architecture",
    schemaName: "stage_00_moat_architecture",
    schema: moatArchitectureSchema,
    concurrent,
    prompt: {
      system: `You are EVA's Stage 0 strategist. Design the venture's moat: a primary moat and secondary moats, each one of ${MOAT_TYPES.join(", ")}, with how many months (1-24) it takes to compound, its synergy with the portfolio, and a moat score 0-100. Answer with one JSON object matching the schema.`,
      user: `${describePath(input.path)}\nPortfolio: ${
        input.portfolio
          .map((v) => v.name)
          .slice(0, 20)
          .join(", ") || "(empty)"
      }\nProduce: primaryMoat, secondaryMoats, portfolioSynergy, moatScore.`,
    },
    simulate: (rng) => simulateMoatArchitecture(input, rng),
  });
  return { ...out, componentScore: clampScore(out.moatScore) };
}
