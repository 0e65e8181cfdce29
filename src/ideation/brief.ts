// Stage 0 (spec §16): an idea becomes a VentureBrief — the Stage 0 → Stage 1
// contract — through one analysis (the LLM or the offline analyst), then
// waits for the Chairman's review. The brief carries the Stage 1 fields, so an
// approved brief creates the venture directly.
import { z } from "zod";
import type { Analyst, Provenance, TokenAllowance } from "../llm/types.ts";
import { archetype } from "../stages/enums.ts";
import { ventureProfile } from "../stages/simulation.ts";
import { draftIdeaSchema } from "../stages/stage-01.ts";
import type { Prompt, Rng } from "../stages/types.ts";

export const originType = z.enum([
  "manual",
  "competitor_teardown",
  "blueprint_browse",
  "discovery_mode",
  "nursery_reeval",
]);
export const maturity = z.enum(["ready", "seed", "sprout", "blocked", "nursery"]);

/** A competitor's address: http(s) only (no file:, javascript:, data: …), with a host. */
export const competitorUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
    } catch {
      return false;
    }
  },
  { error: "each --urls value must be an http(s) URL (https://…)" },
);

/** What the Chairman gives Stage 0: the idea in their words (manual) or competitor URLs to tear down. */
export const ideaInputSchema = z
  .object({
    path: z.enum(["manual", "competitor_teardown"]),
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().trim().min(1).optional(),
    problemStatement: z.string().trim().min(1).optional(),
    solution: z.string().trim().min(1).optional(),
    targetMarket: z.string().trim().min(1).optional(),
    archetype: archetype.optional(),
    urls: z.array(competitorUrl).default([]),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (input.path === "competitor_teardown" && input.urls.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["urls"],
        message: "the competitor_teardown path needs at least one --urls",
      });
    }
    if (input.path === "manual") {
      for (const field of ["name", "description", "problemStatement", "targetMarket"] as const) {
        if (!input[field])
          ctx.addIssue({ code: "custom", path: [field], message: `${field} is required on the manual path` });
      }
    }
  });
export type IdeaInput = z.infer<typeof ideaInputSchema>;

/** The VentureBrief (spec §16 contract), with the Stage 1 fields it hydrates. */
export const ventureBriefSchema = draftIdeaSchema.extend({
  solution: z.string().min(20),
  originType,
  rawChairmanIntent: z.string().min(1),
  maturity,
  verticalCategory: z.string().min(1),
  portfolioSynergyScore: z.number().int().min(0).max(100),
  timeHorizonClassification: z.enum(["build_now", "build_soon", "park_and_build_later"]),
  buildEstimate: z.object({ complexity: z.enum(["low", "medium", "high"]), months: z.number().int().min(1).max(60) }),
  competitorRef: z.array(z.string()),
  forecast: z.object({
    revenue: z.array(z.number().min(0)).length(3),
    costs: z.array(z.number().min(0)).length(3),
  }),
  /** 0-100: the synthesis's overall score of the idea. */
  ventureScore: z.number().int().min(0).max(100),
});
export type VentureBrief = z.infer<typeof ventureBriefSchema>;

function intent(input: IdeaInput): string {
  return input.path === "manual"
    ? [input.name, input.description, input.problemStatement, input.solution, input.targetMarket]
        .filter(Boolean)
        .join(" | ")
    : `Tear down: ${input.urls.join(", ")}`;
}

export function briefPrompt(input: IdeaInput): Prompt {
  return {
    system:
      "You are EVA's Stage 0 synthesis engine. Turn a raw idea into a venture brief for the Chairman's review. " +
      "Answer with one JSON object matching the schema. Do not invent evidence; mark guesses as assumptions.",
    user: [
      `Entry path: ${input.path}`,
      input.path === "competitor_teardown"
        ? `Competitors to deconstruct (business model, features, gaps; propose a better venture): ${input.urls.join(", ")}`
        : "",
      input.name ? `Name: ${input.name}` : "",
      input.description ? `Description: ${input.description}` : "",
      input.problemStatement ? `Problem: ${input.problemStatement}` : "",
      input.solution ? `Solution: ${input.solution}` : "",
      input.targetMarket ? `Target market: ${input.targetMarket}` : "",
      input.archetype ? `Archetype: ${input.archetype}` : "",
      "Produce: name, description (≥ 50 chars), problemStatement, valueProp, solution, targetMarket, archetype, keyAssumptions (3-5), successCriteria, moatStrategy, originType, rawChairmanIntent (the Chairman's words, verbatim), maturity (ready|seed|sprout|blocked|nursery), verticalCategory, portfolioSynergyScore 0-100, timeHorizonClassification, buildEstimate, competitorRef (the URLs), a 3-year forecast (revenue, costs) and ventureScore 0-100.",
    ]
      .filter(Boolean)
      .join("\n"),
  };
}

const hostWords = (url: string) =>
  new URL(url).hostname
    .replace(/^www\./, "")
    .split(".")[0]
    ?.replace(/[^a-z0-9]/gi, " ")
    .trim() || "competitor";

const titleCase = (s: string) => s.replace(/\b\w/g, (c) => c.toUpperCase());

/** The offline analyst's brief: built from the Chairman's own words (or the competitors' names), deterministic. */
export function simulateBrief(input: IdeaInput, rng: Rng): VentureBrief {
  const competitors = input.urls.map(hostWords);
  const name = input.name ?? `${titleCase(competitors[0] ?? "Venture")} Challenger`;
  const targetMarket =
    input.targetMarket ?? `Customers of ${competitors.join(" and ")} who want a simpler, cheaper option`;
  const problemStatement =
    input.problemStatement ??
    `Customers of ${competitors.join(", ")} pay for features they do not use and wait for support.`;
  const description =
    input.description && input.description.length >= 50
      ? input.description
      : `${name}: ${input.description ?? `a focused alternative to ${competitors.join(", ")}`} for ${targetMarket}.`;
  const kind = input.archetype ?? rng.pick(archetype.options);
  const solution =
    input.solution ??
    `A narrower product that does the core job of ${competitors[0] ?? "the incumbents"} well, priced per use.`;
  const brief = {
    name,
    archetype: kind,
    description,
    problemStatement,
    valueProp: solution,
    targetMarket,
    keyAssumptions: [],
    successCriteria: [],
  };
  const p = ventureProfile({ id: "stage-0", moatStrategy: null, ...brief });
  const score = Math.round(p.strength * 100);
  const revenue1 = rng.int(5, 40) * 10_000;
  return {
    ...brief,
    valueProp: solution.length >= 20 ? solution : `${solution} — built for ${targetMarket}`,
    solution: solution.length >= 20 ? solution : `${solution} — built for ${targetMarket}`,
    keyAssumptions: [
      `${targetMarket} will pay for ${name}`,
      `The problem is frequent enough: ${problemStatement.slice(0, 80)}`,
      input.path === "competitor_teardown"
        ? `Customers will switch from ${competitors[0]}`
        : "A first version fits in one quarter",
    ],
    successCriteria: ["100 paying customers within 12 months", "Month-3 retention above 60%"],
    moatStrategy:
      p.moat > 0.5 ? "Proprietary usage data and workflow lock-in" : "Speed and focus on an underserved segment",
    originType: input.path,
    rawChairmanIntent: intent(input),
    maturity: score >= 60 ? "ready" : score >= 40 ? "sprout" : "nursery",
    verticalCategory: kind,
    portfolioSynergyScore: rng.int(20, 90),
    timeHorizonClassification: score >= 60 ? "build_now" : score >= 40 ? "build_soon" : "park_and_build_later",
    buildEstimate: {
      complexity: p.difficulty > 0.6 ? "high" : p.difficulty > 0.4 ? "medium" : "low",
      months: rng.int(2, 12),
    },
    competitorRef: input.urls,
    forecast: {
      revenue: [revenue1, Math.round(revenue1 * (1.5 + p.market)), Math.round(revenue1 * (2.5 + 2 * p.market))],
      costs: [Math.round(revenue1 * 1.6), Math.round(revenue1 * 1.7), Math.round(revenue1 * 1.9)],
    },
    ventureScore: score,
  };
}

export interface SynthesizedBrief {
  brief: VentureBrief;
  provenance: Provenance;
  epistemic: "simulation" | "assumption";
  usage: { promptTokens: number; completionTokens: number; estimated: boolean };
}

/** `budget`: what the portfolio's ideation budget has left (ideationAllowance); a call that could overshoot is refused. */
export async function synthesizeBrief(
  analyst: Analyst,
  input: IdeaInput,
  options: { budget?: TokenAllowance } = {},
): Promise<SynthesizedBrief> {
  const result = await analyst.analyze({
    schemaName: "stage_00_venture_brief",
    schema: ventureBriefSchema,
    prompt: briefPrompt(input),
    simulate: (rng) => simulateBrief(input, rng),
    ...(options.budget ? { budget: options.budget } : {}),
  });
  return { brief: result.output, provenance: result.provenance, epistemic: result.epistemic, usage: result.usage };
}
