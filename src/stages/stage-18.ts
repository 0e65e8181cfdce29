// Stage 18 — Sprint Planning (spec §8.5, §9): the Stage 13 "now" deliverables,
// filtered by the Stage 17 readiness decision, become sprint items placed on
// Stage 14 architecture layers. The derived SD Bridge output is what LEO
// receives: one orchestrator directive for the sprint and one child per item.
import { z } from "zod";
import { stagePrompt } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import type { Rng, StageContext, StageDefinition } from "./types.ts";

// Tolerant readers for upstream content: an upstream stage written by another
// hand (or an older artifact version) may miss a field or shape it differently;
// the offline analyst then falls back instead of throwing. Stages 19-25 use them too.
export type Json = Record<string, unknown>;
export const rec = (x: unknown): Json => (x && typeof x === "object" && !Array.isArray(x) ? (x as Json) : {});
export const list = (x: unknown): Json[] => (Array.isArray(x) ? x.map(rec) : []);
export const strings = (x: unknown): string[] =>
  Array.isArray(x) ? x.filter((s): s is string => typeof s === "string" && s.trim() !== "") : [];
export const text = (x: unknown, fallback = ""): string => (typeof x === "string" && x.trim() ? x.trim() : fallback);
export const num = (x: unknown): number | null => (typeof x === "number" && Number.isFinite(x) ? x : null);
export const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
/** Case- and whitespace-insensitive key for matching names across stages. */
export const norm = (s: string) => s.toLowerCase().replace(/\s+/g, " ").trim();

/** Deliverable types of Stage 13 plus `bugfix`, for later build loops that fix what QA found. */
export const sprintItemType = z.enum(["feature", "infrastructure", "integration", "documentation", "bugfix"]);
export type SprintItemType = z.infer<typeof sprintItemType>;

const sprintItem = z.object({
  title: z.string().min(3),
  description: z.string().min(10),
  type: sprintItemType,
  estimatedLoc: z.number().int().min(1).max(100_000),
  acceptanceCriteria: z.array(z.string().min(3)).min(1),
  /** A Stage 14 layer name. */
  architectureLayer: z.string().min(1),
  /** The title of the Stage 13 "now" milestone the item delivers. */
  milestoneRef: z.string().min(1),
});

const analysisObject = z.object({
  sprintGoal: z.string().min(10),
  sprintItems: z.array(sprintItem).min(1),
});

const uniqueTitles = (a: { sprintItems: { title: string }[] }, issue: z.core.$RefinementCtx) => {
  const seen = new Set<string>();
  a.sprintItems.forEach((item, i) => {
    if (seen.has(norm(item.title)))
      issue.addIssue({
        code: "custom",
        path: ["sprintItems", i, "title"],
        message: "sprint item titles must be unique: Stage 19 tasks refer to items by title",
      });
    seen.add(norm(item.title));
  });
};

const analysisSchema = analysisObject.superRefine(uniqueTitles);
export type SprintPlanAnalysis = z.infer<typeof analysisObject>;

const derivedSchema = z.object({
  sdBridgeOutput: z.object({
    orchestrator: z.object({ title: z.string(), sprintGoal: z.string() }),
    children: z.array(
      z.object({
        title: z.string(),
        type: sprintItemType,
        estimatedLoc: z.number().int(),
        acceptanceCriteria: z.array(z.string()),
        architectureLayer: z.string(),
      }),
    ),
  }),
});
export type SprintPlanDerived = z.infer<typeof derivedSchema>;
export type SprintPlan = SprintPlanAnalysis & SprintPlanDerived;

/** The SD Bridge (§9): one orchestrator directive for the sprint, one child directive per sprint item. */
export function sdBridgeOutput(analysis: SprintPlanAnalysis, ctx: StageContext): SprintPlanDerived["sdBridgeOutput"] {
  return {
    orchestrator: { title: `${ctx.venture.name} — sprint ${ctx.runNumber}`, sprintGoal: analysis.sprintGoal },
    children: analysis.sprintItems.map((item) => ({
      title: item.title,
      type: item.type,
      estimatedLoc: item.estimatedLoc,
      acceptanceCriteria: [...item.acceptanceCriteria],
      architectureLayer: item.architectureLayer,
    })),
  };
}

interface Deliverable {
  name: string;
  description: string;
  type: SprintItemType;
  milestone: string;
  outcomes: string[];
}

/** The Stage 13 milestones the sprint draws from: the "now" ones, or the first milestone when none is marked now. */
export function nowMilestones(roadmap: unknown): Json[] {
  const milestones = list(rec(roadmap).milestones);
  const now = milestones.filter((m) => m.priority === "now");
  return now.length ? now : milestones.slice(0, 1);
}

/** Stage 14 layer names, core layers first, then additional ones. */
export function layerNames(architecture: unknown): string[] {
  const a = rec(architecture);
  return [...list(a.layers), ...list(a.additionalLayers)].map((l) => text(l.name)).filter(Boolean);
}

const LAYER_HINTS: Record<SprintItemType, string[]> = {
  feature: ["business", "logic", "domain", "application", "presentation", "frontend", "ui"],
  integration: ["api", "integration", "gateway", "service"],
  infrastructure: ["infrastructure", "infra", "platform", "devops", "data"],
  documentation: ["presentation", "api", "business"],
  bugfix: ["business", "logic", "api"],
};

/** Places a deliverable on a Stage 14 layer: by words shared with the layer, else by the type's usual layer, else the first layer. */
export function matchLayer(
  item: { name: string; description: string; type: SprintItemType },
  layers: string[],
): string {
  if (!layers.length) return item.type === "infrastructure" ? "infrastructure" : "business_logic";
  const words = new Set(`${item.name} ${item.description}`.toLowerCase().split(/[^a-z0-9]+/));
  const byWords = layers.find((l) =>
    l
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .some((w) => w.length > 2 && words.has(w)),
  );
  if (byWords) return byWords;
  for (const hint of LAYER_HINTS[item.type]) {
    const layer = layers.find((l) => l.toLowerCase().includes(hint));
    if (layer) return layer;
  }
  return layers[0] as string;
}

const LOC: Record<SprintItemType, [number, number]> = {
  feature: [400, 1600],
  integration: [250, 900],
  infrastructure: [150, 700],
  documentation: [50, 250],
  bugfix: [40, 300],
};

function deliverablesOf(ctx: StageContext): Deliverable[] {
  const roadmap = ctx.artifacts.product_roadmap?.content;
  const found = nowMilestones(roadmap).flatMap((m) => {
    const milestone = text(m.title, "First release");
    const outcomes = strings(m.outcomes);
    return list(m.deliverables).map((d) => {
      const type = sprintItemType.safeParse(d.type);
      return {
        name: text(d.name, "Unnamed deliverable"),
        description: text(d.description, text(d.name, "Deliverable of the now milestone")),
        type: type.success ? type.data : "feature",
        milestone,
        outcomes,
      };
    });
  });
  if (found.length) return found;
  // No roadmap deliverables to draw from: the sprint builds the value proposition itself, for the now milestone if any.
  const v = ctx.venture;
  const milestone = text(nowMilestones(roadmap)[0]?.title, "First release");
  return [
    {
      name: "Core workflow",
      description: v.valueProp,
      type: "feature",
      milestone,
      outcomes: [],
    },
    {
      name: "Deployment pipeline",
      description: "Build, test and deploy on every merge",
      type: "infrastructure",
      milestone,
      outcomes: [],
    },
  ];
}

function simulate(ctx: StageContext, rng: Rng): SprintPlanAnalysis {
  const p = ventureProfile(ctx.venture);
  const readiness = rec(rec(ctx.artifacts.build_readiness?.content).buildReadiness);
  const conditional = readiness.decision === "conditional_go";
  const conditions = strings(readiness.conditions);
  const layers = layerNames(ctx.artifacts.technical_architecture?.content);
  // A conditional go narrows the sprint: fewer items, the conditions written into acceptance criteria.
  const deliverables = deliverablesOf(ctx).slice(0, conditional ? 3 : 6);
  const seen = new Set<string>();
  const items = deliverables.map((d) => {
    let title = d.name;
    for (let n = 2; seen.has(norm(title)); n++) title = `${d.name} (${n})`;
    seen.add(norm(title));
    const [lo, hi] = LOC[d.type];
    const criteria = [
      `${d.name} works end to end in staging`,
      ...(d.outcomes[0] ? [`Moves the milestone outcome: ${d.outcomes[0]}`] : []),
      d.type === "feature" ? "Covered by unit and end-to-end tests" : "Covered by automated tests",
    ];
    if (conditional && conditions[0]) criteria.push(`Honours the readiness condition: ${conditions[0]}`);
    return {
      title,
      description: d.description.length >= 10 ? d.description : `${d.description} for ${ctx.venture.name}`,
      type: d.type,
      estimatedLoc: Math.round(rng.int(lo, hi) * (0.7 + p.difficulty * 0.8)),
      acceptanceCriteria: criteria,
      architectureLayer: matchLayer(d, layers),
      milestoneRef: d.milestone,
    };
  });
  const milestones = [...new Set(items.map((i) => i.milestoneRef))];
  return {
    sprintGoal: `Deliver ${milestones.join(" and ")} for ${ctx.venture.targetMarket}: ${items
      .slice(0, 3)
      .map((i) => i.title)
      .join(", ")}`,
    sprintItems: items,
  };
}

export const stage18: StageDefinition<SprintPlanAnalysis, SprintPlanDerived> = {
  number: 18,
  name: "Sprint Planning",
  phase: 5,
  gateType: "none",
  consumes: [13, 14, 17],
  produces: ["sprint_plan"],
  analysisSchema,
  artifactSchema: analysisObject.extend(derivedSchema.shape).superRefine(uniqueTitles),
  computeDerived: (analysis, ctx) => ({ sdBridgeOutput: sdBridgeOutput(analysis, ctx) }),
  prompt: (ctx) => {
    const layers = layerNames(ctx.artifacts.technical_architecture?.content);
    const milestones = nowMilestones(ctx.artifacts.product_roadmap?.content).map((m) => text(m.title));
    return stagePrompt(ctx, {
      role: "a delivery lead planning the next build sprint",
      task: [
        `Plan sprint ${ctx.runNumber}: a sprintGoal and sprintItems built from the Stage 13 "now" milestones' deliverables, as far as the Stage 17 buildReadiness decision allows (a conditional_go narrows the sprint to what its conditions permit).`,
        "Each sprint item: title (unique), description, type (feature|infrastructure|integration|documentation|bugfix), estimatedLoc, acceptanceCriteria, architectureLayer (a Stage 14 layer) and milestoneRef (the Stage 13 milestone title).",
        "Each item becomes one child Strategic Directive for engineering; the sprint becomes their orchestrator.",
      ].join("\n"),
      rules: [
        milestones.length ? `"now" milestones: ${milestones.join("; ")}` : "The roadmap marks no milestone as now.",
        layers.length ? `Architecture layers: ${layers.join(", ")}` : "No architecture layers are given.",
        "Acceptance criteria must be testable.",
      ],
    });
  },
  simulate,
  qualityScore: (artifact, ctx) => {
    const items = artifact.sprintItems;
    const layers = new Set(layerNames(ctx.artifacts.technical_architecture?.content).map(norm));
    const milestones = new Set(nowMilestones(ctx.artifacts.product_roadmap?.content).map((m) => norm(text(m.title))));
    const onLayer = items.filter((i) => layers.has(norm(i.architectureLayer))).length / items.length;
    const onMilestone = items.filter((i) => milestones.has(norm(i.milestoneRef))).length / items.length;
    const wellSpecified = items.every((i) => i.acceptanceCriteria.length >= 2) ? 10 : 0;
    return Math.round(40 + 30 * onLayer + 20 * onMilestone + wellSpecified);
  },
};
