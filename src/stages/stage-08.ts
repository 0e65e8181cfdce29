// Stage 8 — Business Model Canvas (spec §8.2): the nine blocks, each item with
// a priority and the upstream evidence it rests on. Derives cross-block
// warnings: places where the canvas does not hang together.
import { z } from "zod";
import { type Archetype, severity } from "./enums.ts";
import { stagePrompt, withinContract } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { maybeUpstream, type Rng, type StageContext, type StageDefinition } from "./types.ts";

const CONTRACT = [
  "idea_brief",
  "idea_validation",
  "validation_scorecard",
  "competitive_analysis",
  "financial_model",
  "risk_matrix",
  "pricing_model",
];

export const BLOCKS = [
  "keyPartners",
  "keyActivities",
  "keyResources",
  "valuePropositions",
  "customerRelationships",
  "channels",
  "customerSegments",
  "costStructure",
  "revenueStreams",
] as const;
export type BlockName = (typeof BLOCKS)[number];
export const blockName = z.enum(BLOCKS);

const item = z.object({
  text: z.string().min(1),
  priority: z.enum(severity.options),
  /** Where the item comes from, e.g. "Stage 5: unit economics". */
  evidence: z.string().min(1),
});
export type CanvasItem = z.infer<typeof item>;
const block = z.array(item).min(1);

const analysisSchema = z.object({
  keyPartners: block,
  keyActivities: block,
  keyResources: block,
  valuePropositions: block,
  customerRelationships: block,
  channels: block,
  customerSegments: block,
  costStructure: block,
  revenueStreams: block,
});
export type CanvasAnalysis = z.infer<typeof analysisSchema>;

export const warningCode = z.enum([
  "revenue_stream_without_segment",
  "revenue_stream_without_channel",
  "segment_without_channel",
  "segment_without_value_proposition",
]);

const derivedSchema = z.object({
  crossBlockWarnings: z.array(
    z.object({
      code: warningCode,
      /** The blocks involved: the item's own block first. */
      blocks: z.array(blockName).min(2),
      /** The item the warning is about. */
      item: z.string().min(1),
      message: z.string().min(1),
    }),
  ),
});
export type CanvasDerived = z.infer<typeof derivedSchema>;

const STOPWORDS = new Set(
  (
    "about also among and any are based been both but can could each every for from has have into its more " +
    "most much only other our over per than that their them then these they this those through under very via " +
    "what when where which while who will with within without would your " +
    "customer customers user users client clients people revenue revenues offer offers"
  ).split(" "),
);

/**
 * The content words of a text: lower case, four letters or more, not a stop
 * word, with a plural "s" dropped, so "accounting firms" and "firm" match.
 */
export function keywords(text: string): Set<string> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return new Set(
    words
      .filter((w) => w.length >= 4 && !STOPWORDS.has(w))
      .map((w) => (w.length > 4 && w.endsWith("s") && !w.endsWith("ss") ? w.slice(0, -1) : w)),
  );
}

/** Two items relate when they share a content word (a deterministic, explainable heuristic). */
export function relates(a: string, b: string): boolean {
  const kb = keywords(b);
  for (const w of keywords(a)) if (kb.has(w)) return true;
  return false;
}

/**
 * Cross-block consistency: every revenue stream should name a customer segment
 * and a channel that reaches it, every segment a channel and a value proposition.
 */
export function crossBlockWarnings(canvas: CanvasAnalysis): CanvasDerived["crossBlockWarnings"] {
  const warnings: CanvasDerived["crossBlockWarnings"] = [];
  const unmatched = (
    from: BlockName,
    to: BlockName,
    code: z.infer<typeof warningCode>,
    message: (text: string) => string,
  ) => {
    for (const it of canvas[from]) {
      if (!canvas[to].some((other) => relates(it.text, other.text))) {
        warnings.push({ code, blocks: [from, to], item: it.text, message: message(it.text) });
      }
    }
  };
  unmatched(
    "revenueStreams",
    "customerSegments",
    "revenue_stream_without_segment",
    (t) => `Revenue stream "${t}" names no customer segment on the canvas: who pays for it?`,
  );
  unmatched(
    "revenueStreams",
    "channels",
    "revenue_stream_without_channel",
    (t) => `Revenue stream "${t}" has no channel that sells or delivers it.`,
  );
  unmatched(
    "customerSegments",
    "channels",
    "segment_without_channel",
    (t) => `Customer segment "${t}" is reached by no channel.`,
  );
  unmatched(
    "customerSegments",
    "valuePropositions",
    "segment_without_value_proposition",
    (t) => `Customer segment "${t}" is served by no value proposition.`,
  );
  return warnings;
}

const PARTNERS: Record<Archetype, string[]> = {
  saas: ["Integration and data-feed providers", "Cloud hosting provider"],
  marketplace: ["Organisers and venue owners who control supply", "Payment provider"],
  deeptech: ["University and research labs", "Contract manufacturers"],
  hardware: ["Component suppliers", "Certification and test labs"],
  services: ["Specialist freelancers", "Referral partners"],
  media: ["Sector associations", "Sponsors"],
  fintech: ["Licensed banking partner", "Compliance and KYC providers"],
};

interface Upstream {
  pricing?: {
    revenueStreams?: { name?: unknown; description?: unknown; sharePct?: unknown }[];
    pricingTiers?: { name?: unknown; targetSegment?: unknown }[];
    positioningDecision?: { strategy?: unknown };
  };
  financial?: {
    assumptions?: { startingMonthlyOpex?: unknown; currency?: unknown };
    unitEconomics?: { grossMargin?: unknown; cac?: unknown };
  };
  competitive?: { stage5Handoff?: { marketGaps?: unknown } };
  risks?: { risks?: { description?: unknown; mitigationStrategy?: unknown; riskScore?: unknown }[] };
}

const str = (x: unknown): string | null => (typeof x === "string" && x.length > 0 ? x : null);
const num = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);
const list = <T>(x: unknown): T[] => (Array.isArray(x) ? (x as T[]) : []);

function simulate(ctx: StageContext, rng: Rng): CanvasAnalysis {
  const v = ctx.venture;
  const p = ventureProfile(v);
  const u: Upstream = {
    pricing: maybeUpstream(ctx, "pricing_model"),
    financial: maybeUpstream(ctx, "financial_model"),
    competitive: maybeUpstream(ctx, "competitive_analysis"),
    risks: maybeUpstream(ctx, "risk_matrix"),
  };
  const market = v.targetMarket;
  const gaps = list<unknown>(u.competitive?.stage5Handoff?.marketGaps)
    .map(str)
    .filter((g): g is string => !!g);
  const topRisk = list<{ description?: unknown; mitigationStrategy?: unknown; riskScore?: unknown }>(u.risks?.risks)
    .filter((r) => str(r?.mitigationStrategy))
    .sort((a, b) => (num(b.riskScore) ?? 0) - (num(a.riskScore) ?? 0))[0];
  const streams = list<{ name?: unknown; description?: unknown; sharePct?: unknown }>(u.pricing?.revenueStreams);
  const tiers = list<{ name?: unknown; targetSegment?: unknown }>(u.pricing?.pricingTiers);
  const currency = str(u.financial?.assumptions?.currency) ?? "";
  const opex = num(u.financial?.assumptions?.startingMonthlyOpex);
  const margin = num(u.financial?.unitEconomics?.grossMargin);
  const cac = num(u.financial?.unitEconomics?.cac);
  const largest = tiers.map((t) => str(t?.targetSegment)).filter((s): s is string => !!s);

  return {
    customerSegments: [
      { text: market, priority: "critical", evidence: "Stage 1: target market" },
      ...(largest.length > 1
        ? [
            {
              text: largest[largest.length - 1] as string,
              priority: "medium" as const,
              evidence: "Stage 7: pricing tier target segment",
            },
          ]
        : []),
    ],
    valuePropositions: [
      { text: `${v.valueProp} For ${market}.`, priority: "critical", evidence: "Stage 1: value proposition" },
      ...gaps
        .slice(0, 1)
        .map((g) => ({ text: `${g}, for ${market}`, priority: "high" as const, evidence: "Stage 4: market gap" })),
    ],
    channels: [
      { text: `Direct outreach to ${market}`, priority: "high", evidence: "Stage 4: competitive positioning" },
      {
        text: `Content, referrals and partners that reach ${market}`,
        priority: "medium",
        evidence: "Assumption: no channel data before Stage 11",
      },
    ],
    customerRelationships: [
      {
        text: v.archetype === "services" ? "Dedicated account lead per client" : "Self-service with guided onboarding",
        priority: "high",
        evidence: `Stage 7: ${str(u.pricing?.positioningDecision?.strategy) ?? "pricing"} positioning`,
      },
      { text: "Community and feedback loop with early adopters", priority: "medium", evidence: "Stage 1: assumptions" },
    ],
    revenueStreams: streams.length
      ? streams.map((s, i) => ({
          text: `${str(s?.name) ?? "Revenue"} from ${market}${num(s?.sharePct) !== null ? ` (${num(s.sharePct)}% of revenue)` : ""}`,
          priority: i === 0 ? ("critical" as const) : ("medium" as const),
          evidence: "Stage 7: revenue streams",
        }))
      : [{ text: `Core revenue from ${market}`, priority: "critical", evidence: "Assumption: no Stage 7 streams" }],
    keyActivities: [
      {
        text: `Build and run the product that delivers: ${v.valueProp}`,
        priority: "critical",
        evidence: "Stage 1: value proposition",
      },
      { text: `Acquire customers in ${market}`, priority: "high", evidence: "Stage 5: unit economics" },
      ...(topRisk
        ? [
            {
              text: String(topRisk.mitigationStrategy),
              priority: (num(topRisk.riskScore) ?? 0) >= 15 ? ("critical" as const) : ("high" as const),
              evidence: "Stage 6: highest-scoring risk",
            },
          ]
        : []),
    ],
    keyResources: [
      ...(v.moatStrategy
        ? [{ text: v.moatStrategy, priority: "critical" as const, evidence: "Stage 1: moat strategy" }]
        : []),
      {
        text: p.difficulty > 0.6 ? "Specialist engineering team" : "Small product and engineering team",
        priority: "high",
        evidence: "Stage 2: execution evidence",
      },
      { text: "Customer relationships and usage data", priority: "medium", evidence: "Stage 3: validation" },
    ],
    keyPartners: PARTNERS[v.archetype].map((text, i) => ({
      text,
      priority: i === 0 ? ("high" as const) : rng.pick(["medium", "low"] as const),
      evidence: `Assumption: typical ${v.archetype} partners`,
    })),
    costStructure: [
      {
        text: opex !== null ? `Operating costs from ${opex} ${currency} a month` : "Team and operating costs",
        priority: "critical",
        evidence: "Stage 5: assumptions",
      },
      {
        text:
          margin !== null
            ? `Cost of sales at ${Math.round((1 - margin) * 100)}% of revenue`
            : "Cost of sales scaling with revenue",
        priority: "high",
        evidence: "Stage 5: gross margin",
      },
      {
        text: cac !== null ? `Customer acquisition at ${cac} ${currency} per customer` : "Customer acquisition",
        priority: "high",
        evidence: "Stage 5: unit economics",
      },
    ],
  };
}

export const stage08: StageDefinition<CanvasAnalysis, CanvasDerived> = {
  number: 8,
  name: "Business Model Canvas",
  phase: 2,
  gateType: "none",
  consumes: [1, 2, 3, 4, 5, 6, 7],
  produces: ["business_model_canvas"],
  analysisSchema,
  artifactSchema: analysisSchema.extend(derivedSchema.shape),
  computeDerived: (analysis) => ({ crossBlockWarnings: crossBlockWarnings(analysis) }),
  prompt: (ctx) =>
    stagePrompt(withinContract(ctx, CONTRACT), {
      role: "a business-model analyst assembling the Business Model Canvas from Stages 1-7",
      task: [
        `Fill the nine blocks: ${BLOCKS.join(", ")}.`,
        `Each block is a list of items {text, priority (${severity.options.join("|")}), evidence}; evidence names the upstream stage and field the item rests on, or says it is an assumption.`,
        "Name the customer segment in each revenue stream and channel item, so the canvas can be checked block against block; revenue streams follow Stage 7, costs Stage 5.",
      ].join("\n"),
      rules: ["Cross-block warnings are derived from your items; do not write them yourself."],
    }),
  simulate,
  qualityScore: (artifact) => {
    const items = BLOCKS.flatMap((b) => artifact[b]);
    const evidenced = items.filter((i) => /stage\s*\d/i.test(i.evidence)).length / items.length;
    return Math.round(
      Math.max(
        0,
        Math.min(100, 45 + evidenced * 40 + Math.min(items.length, 27) - artifact.crossBlockWarnings.length * 5),
      ),
    );
  },
};
