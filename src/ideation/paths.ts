// Stage 0's entry paths (spec §16) that need no table of their own: manual
// (the Chairman's own words, no analysis) and competitor_teardown (an
// analysis of the competitors: business model, features, gaps, automation
// potential, a first-principles rebuild). Offline, or with no fetched pages,
// a teardown knows the URLs' names only and says so.
import { z } from "zod";
import { promptHash, seedFromHash } from "../llm/hash.ts";
import { createRng } from "../llm/rng.ts";
import { archetype } from "../stages/enums.ts";
import type { Rng } from "../stages/types.ts";
import { briefPrompt, type IdeaInput, simulateBrief } from "./brief.ts";
import type { PathOutput } from "./contract.ts";
import { ask, type StageZeroCallContext } from "./synthesis/call.ts";

const intentOf = (input: IdeaInput) =>
  input.path === "manual"
    ? [input.name, input.description, input.problemStatement, input.solution, input.targetMarket]
        .filter(Boolean)
        .join(" | ")
    : `Tear down: ${input.urls.join(", ")}`;

export function manualPath(input: IdeaInput): PathOutput {
  const name = input.name ?? "Unnamed idea";
  const targetMarket = input.targetMarket ?? "unknown";
  const description = input.description ?? name;
  return {
    origin: "manual",
    name,
    description: description.length >= 50 ? description : `${name}: ${description} — for ${targetMarket}.`,
    problemStatement: input.problemStatement ?? "unknown",
    solution:
      input.solution && input.solution.length >= 20
        ? input.solution
        : input.solution
          ? `${input.solution} — for ${targetMarket}`
          : `Not given by the Chairman: a solution to this problem for ${targetMarket}, to be designed in Stage 1.`,
    targetMarket,
    rawChairmanIntent: intentOf(input),
    archetypeHint: input.archetype,
    competitorRef: [],
    notes: input.solution ? [] : ["The Chairman gave no solution: the brief's solution is a placeholder."],
  };
}

export const teardownSchema = z.object({
  name: z.string().trim().min(1).max(200),
  description: z.string().min(50),
  problemStatement: z.string().min(20),
  solution: z.string().min(20),
  targetMarket: z.string().min(10),
  archetype,
  keyAssumptions: z.array(z.string().min(1)).min(1).max(5),
  successCriteria: z.array(z.string().min(1)).min(1).max(5),
  moatStrategy: z.string().min(1),
  competitors: z
    .array(
      z.object({
        url: z.string().min(1),
        businessModel: z.string().min(1),
        features: z.array(z.string().min(1)),
        gaps: z.array(z.string().min(1)),
        automationPotential: z.number().min(0).max(10),
      }),
    )
    .min(1),
  firstPrinciples: z.string().min(1),
  /** What the analysis could see: the URLs' names only, or pages fetched for it. */
  basis: z.enum(["url_names_only", "fetched_pages"]),
});
export type Teardown = z.infer<typeof teardownSchema>;

const hostWords = (url: string) =>
  new URL(url).hostname
    .replace(/^www\./, "")
    .split(".")[0]
    ?.replace(/[^a-z0-9]/gi, " ")
    .trim() || "competitor";

export function simulateTeardown(input: IdeaInput, rng: Rng): Teardown {
  const names = input.urls.map(hostWords);
  // Continuity: offline, a teardown draws the same idea the one-call brief
  // (src/ideation/brief.ts) drew for these URLs, so a portfolio seeded before
  // the synthesis engine gets the same ventures.
  const earlier = simulateBrief(
    input,
    createRng(seedFromHash(promptHash(briefPrompt(input), "stage_00_venture_brief"))),
  );
  return {
    name: earlier.name,
    description: earlier.description,
    problemStatement: earlier.problemStatement,
    solution: earlier.solution,
    targetMarket: earlier.targetMarket,
    archetype: earlier.archetype,
    keyAssumptions: earlier.keyAssumptions,
    successCriteria: earlier.successCriteria,
    moatStrategy: earlier.moatStrategy ?? "Speed and focus on an underserved segment",
    competitors: input.urls.map((url, i) => ({
      url,
      businessModel: "unknown: only the URL's name was analysed (offline)",
      features: [],
      gaps: [`unknown: ${names[i]}'s gaps need its pages`],
      automationPotential: rng.float(3, 9, 1),
    })),
    firstPrinciples: "Simulated: rebuild the core job with automation first, drop the long tail of features.",
    basis: "url_names_only",
  };
}

/**
 * The competitor_teardown path. `pages` (when something fetched them) are the
 * competitors' text, given to the analyst as its only evidence; without them
 * the analysis has the URLs' names only.
 */
export async function competitorTeardownPath(
  ctx: StageZeroCallContext,
  input: IdeaInput,
  pages: { url: string; text: string }[] = [],
  /** The fetched-and-labelled teardown with its gap analysis (src/ideation/competitor-teardown.ts), when one ran. */
  gapAnalysis?: string,
): Promise<{ path: PathOutput; teardown: Teardown }> {
  const teardown = await ask(ctx, {
    purpose: "path:competitor_teardown",
    schemaName: "stage_00_competitor_teardown",
    schema: teardownSchema,
    prompt: {
      system:
        "You are EVA's Stage 0 teardown analyst. Deconstruct each competitor (business model, features, work components, automation potential 0-10, gaps), then propose a better venture from first principles (name, description, problem, solution, target market, archetype, key assumptions, success criteria, moat strategy). If several competitors are given, the gaps they share matter most. Do not invent facts about a competitor you cannot see: say unknown. Answer with one JSON object matching the schema.",
      user: [
        `Competitors: ${input.urls.join(", ")}`,
        pages.length
          ? pages.map((p) => `--- ${p.url}\n${p.text.slice(0, 6000)}`).join("\n")
          : "Nothing was fetched: you have the URLs' names only (basis url_names_only).",
        gapAnalysis ?? "",
        input.name ? `The Chairman's name for it: ${input.name}` : "",
        input.problemStatement ? `The Chairman's problem: ${input.problemStatement}` : "",
        input.targetMarket ? `The Chairman's target market: ${input.targetMarket}` : "",
      ]
        .filter(Boolean)
        .join("\n"),
    },
    simulate: (rng) => simulateTeardown(input, rng),
  });
  // What the analysis could see is EVA's fact, not the model's claim.
  teardown.basis = pages.length ? "fetched_pages" : "url_names_only";
  // The Chairman's own words win over the analysis.
  const path: PathOutput = {
    origin: "competitor_teardown",
    name: input.name ?? teardown.name,
    description: input.description && input.description.length >= 50 ? input.description : teardown.description,
    problemStatement: input.problemStatement ?? teardown.problemStatement,
    solution: input.solution && input.solution.length >= 20 ? input.solution : teardown.solution,
    targetMarket: input.targetMarket ?? teardown.targetMarket,
    rawChairmanIntent: intentOf(input),
    archetypeHint: input.archetype ?? teardown.archetype,
    competitorRef: input.urls,
    draft: {
      keyAssumptions: teardown.keyAssumptions,
      successCriteria: teardown.successCriteria,
      moatStrategy: teardown.moatStrategy,
    },
    notes: [
      teardown.basis === "url_names_only"
        ? "The teardown saw the competitors' URLs only (nothing was fetched): its findings are not evidence."
        : "The teardown read the competitors' fetched pages.",
      ...teardown.competitors.flatMap((c) => c.gaps.map((g) => `Gap at ${c.url}: ${g}`)),
      `First principles: ${teardown.firstPrinciples}`,
    ],
  };
  return { path, teardown };
}
