// Component 6: time horizon — build_now, build_soon or park_and_build_later,
// with the market window. Scored build_now 100, build_soon 65, park 25.
import type { z } from "zod";
import type { Rng } from "../../stages/types.ts";
import { timeHorizonSchema } from "../contract.ts";
import { ask, type StageZeroCallContext } from "./call.ts";
import { describePath, type SynthesisInput } from "./common.ts";

export type TimeHorizon = z.infer<typeof timeHorizonSchema> & { componentScore: number };

export const TIME_HORIZON_SCORES = { build_now: 100, build_soon: 65, park_and_build_later: 25 } as const;

export function simulateTimeHorizon(input: SynthesisInput, rng: Rng): z.infer<typeof timeHorizonSchema> {
  const roll = rng.next();
  const position = roll < 0.55 ? "build_now" : roll < 0.85 ? "build_soon" : "park_and_build_later";
  return {
    position,
    rationale: `Simulated market timing for ${input.path.name}: ${position.replaceAll("_", " ")}.`,
    marketTimingScore: rng.int(30, 95),
    windowMonths:
      position === "build_now" ? rng.int(3, 12) : position === "build_soon" ? rng.int(6, 18) : rng.int(12, 36),
  };
}

export async function timeHorizon(
  ctx: StageZeroCallContext,
  input: SynthesisInput,
  concurrent = 1,
): Promise<TimeHorizon> {
  const out = await ask(ctx, {
    purpose: "time_horizon",
    schemaName: "stage_00_time_horizon",
    schema: timeHorizonSchema,
    concurrent,
    prompt: {
      system:
        "You are EVA's Stage 0 market-timing analyst. Position the venture: build_now (the window is open), build_soon (within a year) or park_and_build_later (the market or the technology is not ready). Answer with one JSON object matching the schema.",
      user: `${describePath(input.path)}\nProduce: position, rationale, marketTimingScore 0-100, windowMonths.`,
    },
    simulate: (rng) => simulateTimeHorizon(input, rng),
  });
  return { ...out, componentScore: TIME_HORIZON_SCORES[out.position] };
}
