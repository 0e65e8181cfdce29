// Stage 10 — Naming / Brand (spec §8.3): the brand genome, weighted scoring
// criteria and at least five scored name candidates, the narrative and the
// naming decision the Chairman reviews. The weighted total of every candidate
// and the ranking are derived, never asked of the analyst.
import { z } from "zod";
import { namingStrategy } from "./enums.ts";
import { stagePrompt } from "./prompt.ts";
import { score, ventureProfile } from "./simulation.ts";
import type { Rng, StageContext, StageDefinition, VentureBrief } from "./types.ts";

// ---------------------------------------------------------------------------
// Tolerant readers of upstream content, shared by the stage 10-17 modules: an
// upstream artifact written by an older or different analyst may lack a field
// or shape it differently; the offline analyst falls back instead of throwing.

export function asRecord(x: unknown): Record<string, unknown> {
  return x !== null && typeof x === "object" && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
}

export function asArray(x: unknown): unknown[] {
  return Array.isArray(x) ? x : [];
}

export function asString(x: unknown, fallback: string): string {
  return typeof x === "string" && x.trim() ? x.trim() : fallback;
}

export function asNumber(x: unknown, fallback: number): number {
  const n = typeof x === "string" && x.trim() !== "" ? Number(x) : x;
  return typeof n === "number" && Number.isFinite(n) ? n : fallback;
}

/** A fraction 0-1 from a fraction or a percentage (72 → 0.72); undefined when not a number. */
export function asFraction(x: unknown): number | undefined {
  const n = asNumber(x, Number.NaN);
  if (Number.isNaN(n)) return undefined;
  return n > 1 && n <= 100 ? n / 100 : n;
}

/**
 * Yearly amounts from `[y1, y2, y3]`, `[{year, amount}]`-like rows or `{y1, y2, y3}` /
 * `{year1, ...}` objects; an empty list when nothing numeric is there.
 */
export function yearSeries(x: unknown): number[] {
  if (Array.isArray(x)) {
    return x
      .map((item) => {
        if (typeof item === "number" || typeof item === "string") return asNumber(item, Number.NaN);
        const row = asRecord(item);
        for (const key of ["amount", "value", "total", "revenue", "costs", "projected"]) {
          const n = asNumber(row[key], Number.NaN);
          if (!Number.isNaN(n)) return n;
        }
        return Number.NaN;
      })
      .filter((n) => !Number.isNaN(n));
  }
  const obj = asRecord(x);
  const keys = Object.keys(obj)
    .filter((k) => /^(y|year)_?\d+$/i.test(k))
    .sort((a, b) => Number(a.replace(/\D/g, "")) - Number(b.replace(/\D/g, "")));
  return keys.map((k) => asNumber(obj[k], Number.NaN)).filter((n) => !Number.isNaN(n));
}

export const round2 = (x: number) => Math.round(x * 100) / 100;

// ---------------------------------------------------------------------------

/** The twelve brand archetypes (Jung / Mark & Pearson). */
export const brandArchetype = z.enum([
  "innocent",
  "sage",
  "explorer",
  "outlaw",
  "magician",
  "hero",
  "lover",
  "jester",
  "everyman",
  "caregiver",
  "ruler",
  "creator",
]);
/** Placeholder states of the asynchronous availability checks. */
export const availabilityStatus = z.enum(["pending", "available", "unavailable"]);

const criterionScore = z.number().int().min(0).max(100);

const analysisObject = z.object({
  brandGenome: z.object({
    archetype: brandArchetype,
    values: z.array(z.string().min(1)).min(1),
    tone: z.string().min(1),
    audience: z.string().min(1),
    differentiators: z.array(z.string().min(1)).min(1),
  }),
  scoringCriteria: z.array(z.object({ name: z.string().min(1), weight: z.number().gt(0).max(100) })).min(1),
  candidates: z
    .array(
      z.object({
        name: z.string().min(1),
        rationale: z.string().min(1),
        /** One 0-100 score per scoring criterion, keyed by the criterion's name. */
        scores: z.record(z.string(), criterionScore),
      }),
    )
    .min(5),
  narrativeExtension: z
    .object({ vision: z.string().min(1), mission: z.string().min(1), brandVoice: z.string().min(1) })
    .nullable(),
  namingStrategy,
  decision: z.object({
    selectedName: z.string().min(1),
    workingTitle: z.boolean(),
    rationale: z.string().min(1),
    availabilityChecks: z.object({
      domain: availabilityStatus,
      trademark: availabilityStatus,
      social: availabilityStatus,
    }),
  }),
});

type BrandShape = z.infer<typeof analysisObject>;

/** Weights may be fractional; their sum must be 100 within rounding. */
export const WEIGHT_SUM_TOLERANCE = 0.5;

function brandRules(a: BrandShape, ctx: z.RefinementCtx) {
  const weightSum = a.scoringCriteria.reduce((s, c) => s + c.weight, 0);
  if (Math.abs(weightSum - 100) > WEIGHT_SUM_TOLERANCE) {
    ctx.addIssue({
      code: "custom",
      path: ["scoringCriteria"],
      message: `scoring criteria weights must sum to 100 (they sum to ${round2(weightSum)})`,
    });
  }
  const criteria = a.scoringCriteria.map((c) => c.name);
  if (new Set(criteria).size !== criteria.length) {
    ctx.addIssue({ code: "custom", path: ["scoringCriteria"], message: "scoring criteria names must be unique" });
  }
  const names = a.candidates.map((c) => c.name);
  if (new Set(names).size !== names.length) {
    ctx.addIssue({ code: "custom", path: ["candidates"], message: "candidate names must be unique" });
  }
  a.candidates.forEach((candidate, i) => {
    const missing = criteria.filter((c) => candidate.scores[c] === undefined);
    const extra = Object.keys(candidate.scores).filter((k) => !criteria.includes(k));
    if (missing.length || extra.length) {
      ctx.addIssue({
        code: "custom",
        path: ["candidates", i, "scores"],
        message: `candidate ${candidate.name} must be scored on exactly the scoring criteria${missing.length ? `; missing: ${missing.join(", ")}` : ""}${extra.length ? `; unknown: ${extra.join(", ")}` : ""}`,
      });
    }
  });
  if (!names.includes(a.decision.selectedName)) {
    ctx.addIssue({
      code: "custom",
      path: ["decision", "selectedName"],
      message: "the selected name must be one of the candidates",
    });
  }
}

const analysisSchema = analysisObject.superRefine(brandRules);
export type BrandAnalysis = z.infer<typeof analysisSchema>;

const derivedObject = z.object({
  /** Every candidate, best first: weighted total = Σ score × weight / Σ weights (0-100, two decimals). */
  ranking: z
    .array(z.object({ name: z.string(), weightedTotal: z.number().min(0).max(100), rank: z.number().int().min(1) }))
    .min(1),
  /** The selected name's rank (1 = the best weighted total). */
  selectedRank: z.number().int().min(1),
});
export type BrandDerived = z.infer<typeof derivedObject>;

export function weightedTotal(
  scores: Record<string, number>,
  criteria: readonly { name: string; weight: number }[],
): number {
  const weights = criteria.reduce((s, c) => s + c.weight, 0);
  if (weights <= 0) return 0;
  const total = criteria.reduce((s, c) => s + (scores[c.name] ?? 0) * c.weight, 0);
  return round2(total / weights);
}

/** Best first; equal totals share a rank (1, 2, 2, 4) and are listed by name. */
export function rankCandidates(
  candidates: readonly { name: string; scores: Record<string, number> }[],
  criteria: readonly { name: string; weight: number }[],
): BrandDerived["ranking"] {
  const totals = candidates
    .map((c) => ({ name: c.name, weightedTotal: weightedTotal(c.scores, criteria) }))
    .sort((a, b) => b.weightedTotal - a.weightedTotal || a.name.localeCompare(b.name));
  return totals.map((t) => ({ ...t, rank: totals.findIndex((u) => u.weightedTotal === t.weightedTotal) + 1 }));
}

export function deriveBrand(analysis: BrandAnalysis): BrandDerived {
  const ranking = rankCandidates(analysis.candidates, analysis.scoringCriteria);
  const selected = ranking.find((r) => r.name === analysis.decision.selectedName);
  return { ranking, selectedRank: selected?.rank ?? ranking.length };
}

// ---------------------------------------------------------------------------
// The offline analyst.

const ARCHETYPE_BRAND: Record<VentureBrief["archetype"], z.infer<typeof brandArchetype>> = {
  saas: "sage",
  marketplace: "everyman",
  deeptech: "magician",
  hardware: "creator",
  services: "caregiver",
  media: "jester",
  fintech: "ruler",
};

const TONE: Record<z.infer<typeof brandArchetype>, string> = {
  innocent: "warm, simple and optimistic",
  sage: "clear, calm and expert",
  explorer: "curious and adventurous",
  outlaw: "bold and irreverent",
  magician: "visionary and precise",
  hero: "confident and determined",
  lover: "intimate and sensory",
  jester: "witty, plain-spoken and light",
  everyman: "friendly, down-to-earth and fair",
  caregiver: "reassuring and attentive",
  ruler: "authoritative, trustworthy and exact",
  creator: "inventive and hands-on",
};

const METAPHORS = ["Compass", "Beacon", "Harbor", "Keystone", "Lantern", "Atlas", "Tandem", "Anvil", "Meridian"];
const STOP = new Set(
  "a an and are as at be but by for from has have in into is it its of on or that the their they this to was when where which who will with your you every each own same more than".split(
    " ",
  ),
);

/** Distinct content words of a text, longest first. */
function keywords(text: string): string[] {
  const words = text
    .toLowerCase()
    .replace(/[^a-z\s-]/g, " ")
    .split(/[\s-]+/)
    .filter((w) => w.length > 3 && !STOP.has(w));
  return [...new Set(words)].sort((a, b) => b.length - a.length || a.localeCompare(b));
}

const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

type Strategy = z.infer<typeof namingStrategy>;

/** Name ideas from the venture's own words; the current name is always among them. */
function nameIdeas(v: VentureBrief, rng: Rng): { name: string; strategy: Strategy; note: string }[] {
  const words = keywords(`${v.valueProp} ${v.problemStatement} ${v.description}`);
  const w = (i: number) => words[i % Math.max(words.length, 1)] ?? "venture";
  const stem = (word: string) => word.replace(/[aeiouy]+$/, "").slice(0, 5);
  const initials = v.targetMarket
    .split(/\s+/)
    .filter((t) => /^[A-Za-z]/.test(t) && !STOP.has(t.toLowerCase()))
    .slice(0, 3)
    .map((t) => t.charAt(0).toUpperCase())
    .join("");
  const ideas: { name: string; strategy: Strategy; note: string }[] = [
    { name: v.name, strategy: "abstract", note: "the venture's working name" },
    { name: `${cap(w(0))}ly`, strategy: "descriptive", note: `says what it does: ${w(0)}` },
    {
      name: `${cap(stem(w(1)))}${rng.pick(["ora", "ix", "eo", "ara", "iq"])}`,
      strategy: "abstract",
      note: "coined, ownable",
    },
    { name: `${rng.pick(METAPHORS)} ${cap(w(2))}`, strategy: "metaphorical", note: "a guiding image" },
    {
      name: `${cap(w(3))}${rng.pick(["Hub", "Works", "Desk", "Base"])}`,
      strategy: "descriptive",
      note: "plain and searchable",
    },
    { name: `${rng.pick(METAPHORS)}`, strategy: "metaphorical", note: "short, evocative" },
  ];
  if (initials.length >= 2)
    ideas.push({
      name: `${initials}${rng.pick(["", " Labs", " One"])}`.trim(),
      strategy: "acronym",
      note: `initials of ${v.targetMarket}`,
    });
  const seen = new Set<string>();
  const unique = ideas.filter((i) => {
    const key = i.name.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  // Sparse wording can collapse ideas onto each other: top up to the five the spec asks for.
  for (const suffix of ["Labs", "Co", "One", "Studio", "Works"]) {
    if (unique.length >= 5) break;
    const name = `${v.name} ${suffix}`;
    if (!seen.has(name.toLowerCase())) {
      seen.add(name.toLowerCase());
      unique.push({ name, strategy: "descriptive", note: "a variant of the working name" });
    }
  }
  return unique;
}

const DEFAULT_CRITERIA = [
  { name: "memorability", weight: 25 },
  { name: "relevance", weight: 25 },
  { name: "distinctiveness", weight: 20 },
  { name: "pronounceability", weight: 15 },
  { name: "availability", weight: 15 },
];

function simulate(ctx: StageContext, rng: Rng): BrandAnalysis {
  const v = ctx.venture;
  const p = ventureProfile(v);
  const pricing = asRecord(ctx.artifacts.pricing_model?.content);
  const scorecard = asRecord(ctx.artifacts.validation_scorecard?.content);
  const competitors = asArray(scorecard.competitorEntities)
    .map((c) => asString(asRecord(c).name, ""))
    .filter(Boolean);
  const positioning = asString(asRecord(pricing.positioningDecision).strategy, "value-led positioning");

  // Distinctiveness matters more where competitors crowd the field.
  const shift = competitors.length >= 3 ? 5 : 0;
  const scoringCriteria = DEFAULT_CRITERIA.map((c) => ({
    ...c,
    weight:
      c.name === "distinctiveness" ? c.weight + shift : c.name === "pronounceability" ? c.weight - shift : c.weight,
  }));

  const ideas = nameIdeas(v, rng);
  const candidates = ideas.map((idea, i) => {
    const fit = p.strength * 0.6 + p.moat * 0.2 + 0.15;
    const scores: Record<string, number> = {};
    for (const c of scoringCriteria) {
      const bias =
        c.name === "relevance" && idea.strategy === "descriptive"
          ? 0.12
          : c.name === "distinctiveness" && (idea.strategy === "abstract" || idea.strategy === "metaphorical")
            ? 0.1
            : c.name === "availability" && idea.strategy === "descriptive"
              ? -0.12
              : c.name === "relevance" && i === 0
                ? 0.08
                : 0;
      scores[c.name] = score(Math.min(1, fit + bias), rng, 12);
    }
    return {
      name: idea.name,
      rationale: `${cap(idea.strategy)} candidate (${idea.note})${competitors.length ? `; checked against ${competitors.slice(0, 2).join(" and ")} for confusion` : ""}.`,
      scores,
      strategy: idea.strategy,
    };
  });

  const ranking = rankCandidates(candidates, scoringCriteria);
  const top = ranking[0] ?? { name: v.name, weightedTotal: 0, rank: 1 };
  const runnerUp = ranking[1]?.weightedTotal ?? 0;
  const chosen = candidates.find((c) => c.name === top.name) ?? candidates[0];
  const workingTitle = top.weightedTotal < 70 || top.weightedTotal - runnerUp < 3;
  const values = keywords(v.valueProp).slice(0, 3);
  const archetype = ARCHETYPE_BRAND[v.archetype];

  return {
    brandGenome: {
      archetype,
      values: values.length ? values.map(cap) : ["Clarity", "Trust", "Craft"],
      tone: TONE[archetype],
      audience: v.targetMarket,
      differentiators: [v.valueProp, v.moatStrategy ?? `Positioning: ${positioning}`],
    },
    scoringCriteria,
    candidates: candidates.map(({ strategy: _, ...c }) => c),
    narrativeExtension: {
      vision: `A world where ${v.targetMarket.toLowerCase()} no longer face this: ${v.problemStatement.replace(/\.$/, "")}.`,
      mission: v.valueProp,
      brandVoice: `${cap(TONE[archetype])}; speaks to ${v.targetMarket} in their own words.`,
    },
    namingStrategy: chosen?.strategy ?? "descriptive",
    decision: {
      selectedName: top.name,
      workingTitle,
      rationale: `${top.name} has the best weighted total (${top.weightedTotal}) over ${candidates.length} candidates${workingTitle ? "; the lead is narrow or the score modest, so it stays a working title until the Chairman confirms it" : ""}. Domain, trademark and social handles still need checking.`,
      availabilityChecks: { domain: "pending", trademark: "pending", social: "pending" },
    },
  };
}

export const stage10: StageDefinition<BrandAnalysis, BrandDerived> = {
  number: 10,
  name: "Naming / Brand",
  phase: 3,
  gateType: "none",
  consumes: [1, 2, 3, 4, 5, 6, 7, 8, 9],
  produces: ["brand_package"],
  analysisSchema,
  artifactSchema: analysisObject.extend(derivedObject.shape).superRefine(brandRules),
  computeDerived: (analysis) => deriveBrand(analysis),
  prompt: (ctx) =>
    stagePrompt(ctx, {
      role: "a brand strategist naming a new venture",
      task: [
        "Build the brand genome (brandGenome: archetype — one of the twelve brand archetypes —, values, tone, audience, differentiators) from the venture and its Stage 2-9 artifacts.",
        "Define scoringCriteria (name, weight) whose weights sum to exactly 100.",
        "Propose at least five name candidates; give each a rationale and a 0-100 integer score for every scoring criterion, keyed by the criterion's name (candidates[].scores).",
        "Write the narrativeExtension (vision, mission, brandVoice), pick the namingStrategy (descriptive, abstract, acronym, founder or metaphorical).",
        "Decide: decision.selectedName (one of the candidates), workingTitle (true while the name is provisional), rationale, and availabilityChecks for domain, trademark and social — 'pending' unless you actually know.",
        "Do not compute weighted totals or a ranking: they are derived. The Chairman reviews the brand.",
      ].join("\n"),
    }),
  simulate,
  qualityScore: (artifact) => {
    const extraCandidates = Math.min(artifact.candidates.length - 5, 3);
    const criteria = artifact.scoringCriteria.length >= 3 ? 10 : 0;
    const narrative = artifact.narrativeExtension ? 15 : 0;
    const genome =
      (artifact.brandGenome.values.length >= 3 ? 5 : 0) + (artifact.brandGenome.differentiators.length >= 2 ? 5 : 0);
    const rationale = artifact.decision.rationale.length >= 60 ? 10 : 0;
    return Math.min(100, 50 + extraCandidates * 3 + criteria + narrative + genome + rationale);
  },
};
