// Component 7: archetype recognition — one of the six EHG archetypes with a
// confidence (0-1) and secondary fits, and the lifecycle archetype the
// venture is created with. Scored by the primary confidence × 100.
import type { z } from "zod";
import { archetype } from "../../stages/enums.ts";
import type { Rng } from "../../stages/types.ts";
import { archetypesSchema, EHG_ARCHETYPES, type EhgArchetype } from "../contract.ts";
import { ask, type StageZeroCallContext } from "./call.ts";
import { clampScore, describePath, type SynthesisInput } from "./common.ts";

export type Archetypes = z.infer<typeof archetypesSchema> & { componentScore: number };

const KEYWORDS: [EhgArchetype, RegExp][] = [
  ["democratizer", /\b(premium|expensive|afford|tenth|priced out|cheaper)\b/i],
  ["automator", /\b(manual|by hand|automat|reconcil|repetitive|hours)\b/i],
  ["capability_productizer", /\b(model|capabilit|ai can|llm|productiz)\b/i],
  ["first_principles_rebuilder", /\b(incumbent|rebuild|legacy|take rate|first principles)\b/i],
  ["vertical_specialist", /\b(profession|industry|vertical|practice|clinic|firm)\b/i],
  ["portfolio_connector", /\b(portfolio|connect|sync|bridge|integrat)\b/i],
];

export function simulateArchetypes(
  input: SynthesisInput,
  rng: Rng,
  hint?: EhgArchetype,
): z.infer<typeof archetypesSchema> {
  const text = `${input.path.problemStatement} ${input.path.solution} ${input.path.description}`;
  const hits = KEYWORDS.filter(([, re]) => re.test(text)).map(([a]) => a);
  const primary = hint ?? hits[0] ?? rng.pick(EHG_ARCHETYPES);
  const secondary = [...new Set(hits.filter((a) => a !== primary))].slice(0, 3).map((a) => ({
    archetype: a,
    fit: rng.float(0.2, 0.7),
  }));
  return {
    primary,
    primaryConfidence: hint ? rng.float(0.75, 0.95) : hits.length ? rng.float(0.55, 0.85) : rng.float(0.3, 0.6),
    secondary,
    ventureArchetype: input.path.archetypeHint ?? rng.pick(archetype.options),
    rationale: hint
      ? `The blueprint is a ${hint} template (simulated confidence).`
      : hits.length
        ? `Matched by the idea's words: ${hits.join(", ")} (simulated confidence).`
        : "No archetype's signal words in the idea: a simulated guess.",
  };
}

export async function recognizeArchetype(
  ctx: StageZeroCallContext,
  input: SynthesisInput,
  concurrent = 1,
  hint?: EhgArchetype,
): Promise<Archetypes> {
  const out = await ask(ctx, {
    purpose: "archetypes",
    schemaName: "stage_00_archetypes",
    schema: archetypesSchema,
    concurrent,
    prompt: {
      system: `You are EVA's Stage 0 archetype analyst. Classify the venture into one of the EHG archetypes (${EHG_ARCHETYPES.join(", ")}) with a confidence 0-1, secondary fits, and its lifecycle archetype (${archetype.options.join(", ")}). Answer with one JSON object matching the schema.`,
      user: `${describePath(input.path)}${hint ? `\nThe blueprint's archetype: ${hint}` : ""}\nProduce: primary, primaryConfidence, secondary, ventureArchetype, rationale.`,
    },
    simulate: (rng) => simulateArchetypes(input, rng, hint),
  });
  return { ...out, componentScore: clampScore(out.primaryConfidence * 100) };
}
