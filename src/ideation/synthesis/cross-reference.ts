// Component 1: cross-reference against EVA's intellectual capital — parked
// ideas, prior briefs, retrospectives of retired ventures, portfolio patterns
// and the Chairman's earlier Stage 0 outcomes. EVA finds the candidates by
// word overlap (measured); the analyst judges their relevance and lesson.
// Only candidates EVA found can be cited: an invented reference is dropped.
// No candidate at all → the component's score is indeterminate (null), not 0;
// candidates but no valid citation → 0.
import type { z } from "zod";
import { crossReferenceSchema } from "../contract.ts";
import { ask, type StageZeroCallContext } from "./call.ts";
import { type CapitalItem, clampScore, describePath, type SynthesisInput } from "./common.ts";

export type CrossReference = z.infer<typeof crossReferenceSchema> & { componentScore: number | null };

const lessonFor = (c: CapitalItem) => {
  switch (c.outcome) {
    case "killed":
      return `A similar idea (${c.name}) was killed: check what killed it before going on.`;
    case "parked":
      return `A similar idea (${c.name}) was parked: its trigger conditions may apply here.`;
    case "approved":
      return `A similar idea (${c.name}) was approved: reuse its analysis, watch for overlap.`;
    default:
      return `${c.name} (${c.source}) covers related ground: read it first.`;
  }
};

export function simulateCrossReference(input: SynthesisInput): z.infer<typeof crossReferenceSchema> {
  const matches = input.capital.slice(0, 5).map((c) => ({
    source: c.source,
    ref: c.ref,
    name: c.name,
    relevance: clampScore(c.similarity * 250),
    lesson: lessonFor(c),
  }));
  const relevanceScore = matches.length ? Math.max(...matches.map((m) => m.relevance)) : 0;
  return {
    matches,
    relevanceScore,
    summary: matches.length
      ? `${matches.length} related item(s) in the portfolio's memory (word overlap); simulated relevance.`
      : "Nothing in the nursery, prior briefs, retrospectives, patterns or feedback overlaps this idea.",
  };
}

export async function crossReference(
  ctx: StageZeroCallContext,
  input: SynthesisInput,
  concurrent = 1,
): Promise<CrossReference> {
  const out = await ask(ctx, {
    purpose: "cross_reference",
    schemaName: "stage_00_cross_reference",
    schema: crossReferenceSchema,
    concurrent,
    prompt: {
      system:
        "You are EVA's Stage 0 cross-reference analyst. Judge which of the portfolio's prior items (listed with their ref) are relevant to a new idea and what lesson each holds. Cite only the refs given. Answer with one JSON object matching the schema.",
      user: [
        describePath(input.path),
        "Prior items (source, ref, name, outcome, overlap):",
        ...(input.capital.length
          ? input.capital.map(
              (c) =>
                `- ${c.source} ${c.ref} "${c.name}" outcome=${c.outcome ?? "unknown"} overlap=${c.similarity}: ${c.text.slice(0, 300)}`,
            )
          : ["(none)"]),
        "Produce: matches (source, ref, name, relevance 0-100, lesson), relevanceScore 0-100, summary.",
      ].join("\n"),
    },
    simulate: () => simulateCrossReference(input),
  });
  const known = new Set(input.capital.map((c) => c.ref));
  const matches = out.matches.filter((m) => known.has(m.ref));
  // Nothing to cross-reference: indeterminate. Nothing the analyst cited survived: no relevance.
  const componentScore = input.capital.length === 0 ? null : matches.length === 0 ? 0 : clampScore(out.relevanceScore);
  return { ...out, matches, relevanceScore: matches.length === 0 ? 0 : out.relevanceScore, componentScore };
}
