// Stage 13 — Product Roadmap, KILL GATE (spec §8.4): milestones prioritised
// now / next / later, each with typed deliverables, measurable outcomes and
// dependencies. The kill gate checks feasibility (a "now" milestone with
// deliverables, realistic dates, outcomes defined); the roadmap carries its
// start date so that check needs no clock. Nothing here is derived.
import { z } from "zod";
import { milestonePriority } from "./enums.ts";
import { stagePrompt } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { asArray, asRecord, asString } from "./stage-10.ts";
import type { Rng, StageContext, StageDefinition } from "./types.ts";

export const deliverableType = z.enum(["feature", "infrastructure", "integration", "documentation"]);

/** A calendar date, YYYY-MM-DD. */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "dates are ISO dates (YYYY-MM-DD)" })
  .refine(
    (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    {
      error: "not a calendar date",
    },
  );

const analysisObject = z.object({
  /** The date the roadmap starts from: "now" is measured from here. */
  roadmapStart: isoDate,
  milestones: z
    .array(
      z.object({
        title: z.string().min(1),
        description: z.string().min(1),
        targetDate: isoDate,
        priority: milestonePriority,
        deliverables: z.array(
          z.object({ name: z.string().min(1), description: z.string().min(1), type: deliverableType }),
        ),
        /** Measurable success criteria of the milestone. */
        outcomes: z.array(z.string().min(1)),
        /** Titles of the milestones this one needs first; empty when none. */
        dependencies: z.array(z.string().min(1)),
      }),
    )
    .min(1),
});

type RoadmapShape = z.infer<typeof analysisObject>;

function roadmapRules(a: RoadmapShape, ctx: z.RefinementCtx) {
  const titles = a.milestones.map((m) => m.title);
  if (new Set(titles).size !== titles.length) {
    ctx.addIssue({
      code: "custom",
      path: ["milestones"],
      message: "milestone titles must be unique: dependencies and Stage 18 refer to them",
    });
  }
  a.milestones.forEach((m, i) => {
    m.dependencies.forEach((d, j) => {
      if (d === m.title || !titles.includes(d)) {
        ctx.addIssue({
          code: "custom",
          path: ["milestones", i, "dependencies", j],
          message: `dependency "${d}" must be the title of another milestone`,
        });
      }
    });
  });
}

const analysisSchema = analysisObject.superRefine(roadmapRules);
export type RoadmapAnalysis = z.infer<typeof analysisSchema>;
export type RoadmapDerived = Record<never, never>;

/** YYYY-MM-DD, `months` after the first of `iso`'s month. */
export function addMonths(iso: string, months: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1)).toISOString().slice(0, 10);
}

/** Whole months from `from` to `to` (day of month ignored); negative when `to` is earlier. */
export function monthsBetween(from: string, to: string): number {
  const a = new Date(`${from}T00:00:00Z`);
  const b = new Date(`${to}T00:00:00Z`);
  return (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + (b.getUTCMonth() - a.getUTCMonth());
}

/**
 * Where the roadmap starts: the first of the month after the run's date
 * (ctx.asOf); the prompt states it, so a prompt (and the analysis seeded by it)
 * names its own start.
 */
export function roadmapStartFor(ctx: StageContext): string {
  return addMonths(ctx.asOf.slice(0, 10), 1);
}

// ---------------------------------------------------------------------------
// The offline analyst.

/** How sound the simulated roadmap is: strong ventures plan well, weak ones miss the gate's basics. */
export type RoadmapQuality = "sound" | "shaky" | "broken";

export function roadmapQuality(strength: number, rerun: boolean): RoadmapQuality {
  const q = strength + (rerun ? 0.08 : 0);
  return q >= 0.45 ? "sound" : q >= 0.33 ? "shaky" : "broken";
}

const INTEGRATION: Record<StageContext["venture"]["archetype"], string> = {
  saas: "Accounting and identity integrations",
  marketplace: "Payments and payouts integration",
  deeptech: "Customer data pipeline integration",
  hardware: "Firmware update and telemetry link",
  services: "Booking and invoicing integration",
  media: "Email delivery and analytics integration",
  fintech: "Banking and payments provider integration",
};

function simulate(ctx: StageContext, rng: Rng): RoadmapAnalysis {
  const v = ctx.venture;
  const p = ventureProfile(v);
  const quality = roadmapQuality(p.strength + rng.float(-0.02, 0.02), ctx.runNumber > 1 && ctx.feedback.length > 0);
  const start = roadmapStartFor(ctx);
  const brand = asString(asRecord(asRecord(ctx.artifacts.brand_package?.content).decision).selectedName, v.name);
  const tiers = asArray(asRecord(ctx.artifacts.gtm_strategy?.content).customerTiers).map(asRecord);
  const firstTier = asString(tiers[0]?.name, "early adopters").toLowerCase();
  const pipeline = asRecord(asRecord(ctx.artifacts.sales_pipeline?.content).economyCheck);
  const deals = asArray(asRecord(ctx.artifacts.sales_pipeline?.content).deals).length;

  // Harder builds take longer.
  const nowMonths = Math.round(2 + p.difficulty * 4);
  const nextMonths = nowMonths + rng.int(4, 7);
  const laterMonths = nextMonths + rng.int(8, 12);

  const mvp = `${brand} MVP`;
  const launch = `${brand} market launch`;
  const scale = `${brand} scale-up`;
  const criteria = v.successCriteria;

  const now = {
    title: mvp,
    description: `The smallest product that delivers: ${v.valueProp}`,
    targetDate: addMonths(start, quality === "shaky" ? nowMonths + 7 : quality === "broken" ? 1 : nowMonths),
    priority: "now" as const,
    deliverables:
      quality === "broken"
        ? []
        : [
            { name: "Core workflow", description: v.valueProp, type: "feature" as const },
            {
              name: "Guided onboarding",
              description: `First-run setup for ${firstTier} without a sales call`,
              type: "feature" as const,
            },
            {
              name: "Deployment pipeline and monitoring",
              description: "Build, test and deploy on every merge; error and uptime alerts",
              type: "infrastructure" as const,
            },
          ],
    outcomes:
      quality === "broken"
        ? []
        : [
            `10 ${firstTier} use the core workflow weekly for a month`,
            `Problem confirmed solved for them: ${v.problemStatement.replace(/\.$/, "")}`,
          ],
    dependencies: [],
  };
  const next = {
    title: launch,
    description: `Open ${brand} to ${v.targetMarket} through the Stage 11 channels`,
    targetDate: addMonths(start, quality === "broken" ? 2 : nextMonths),
    priority: "next" as const,
    deliverables: [
      { name: "Self-serve billing", description: "Plans, invoices and payment collection", type: "feature" as const },
      {
        name: INTEGRATION[v.archetype],
        description: "The integration customers ask for first",
        type: "integration" as const,
      },
    ],
    outcomes:
      quality === "broken"
        ? ["Grow"]
        : [
            deals
              ? `Close at least half of the ${deals} pipeline deals${pipeline.weightedPipelineValue ? ` (weighted ${pipeline.weightedPipelineValue})` : ""}`
              : "First 20 paying customers",
            criteria[0] ?? "Monthly revenue growth of 10% for three months",
          ],
    dependencies: [mvp],
  };
  const later = {
    title: scale,
    description: v.moatStrategy ? `Deepen the moat: ${v.moatStrategy}` : "Scale acquisition and retention",
    targetDate: addMonths(start, quality === "broken" ? 2 : laterMonths),
    priority: "later" as const,
    deliverables: [
      {
        name: "Public API and documentation",
        description: "Documented API for partners",
        type: "documentation" as const,
      },
      {
        name: "Multi-region infrastructure",
        description: "Capacity and data residency for growth",
        type: "infrastructure" as const,
      },
    ],
    outcomes: quality === "sound" ? [criteria[1] ?? criteria[0] ?? "Net revenue retention above 100%"] : [],
    dependencies: [launch],
  };
  return { roadmapStart: start, milestones: [now, next, later] };
}

export const stage13: StageDefinition<RoadmapAnalysis, RoadmapDerived> = {
  number: 13,
  name: "Product Roadmap",
  phase: 4,
  gateType: "kill",
  consumes: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
  produces: ["product_roadmap"],
  analysisSchema,
  artifactSchema: analysisObject.superRefine(roadmapRules),
  computeDerived: () => ({}),
  prompt: (ctx) =>
    stagePrompt(ctx, {
      role: "a product lead turning a validated venture into a roadmap",
      task: [
        `The roadmap starts on ${roadmapStartFor(ctx)}: set roadmapStart to that date and date every milestone (targetDate, YYYY-MM-DD) from it.`,
        "List milestones: title (unique), description, targetDate, priority (now, next or later), deliverables (name, description, type: feature, infrastructure, integration or documentation), outcomes (measurable success criteria) and dependencies (titles of other milestones).",
        "At least one 'now' milestone must carry the deliverables the first sprints will build (Stage 18 turns them into sprint items) and realistic dates for the venture's build difficulty.",
        "Ground the plan in the Stage 10 brand, the Stage 11 tiers and channels and the Stage 12 pipeline. The kill gate judges feasibility: if the venture cannot support a credible plan, do not pretend it can.",
      ].join("\n"),
    }),
  simulate,
  qualityScore: (artifact) => {
    const nowReady = artifact.milestones.some((m) => m.priority === "now" && m.deliverables.length > 0) ? 20 : 0;
    const withOutcomes = artifact.milestones.filter((m) => m.outcomes.length > 0).length / artifact.milestones.length;
    const withDeliverables =
      artifact.milestones.filter((m) => m.deliverables.length > 0).length / artifact.milestones.length;
    const horizons = new Set(artifact.milestones.map((m) => m.priority)).size;
    return Math.round(Math.min(100, 30 + nowReady + withOutcomes * 20 + withDeliverables * 15 + horizons * 5));
  },
};
