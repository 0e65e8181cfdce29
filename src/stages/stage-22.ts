// Stage 22 — Release Readiness, promotion gate (spec §8.5): the BUILD LOOP
// closeout. Release items, notes and the release recommendation the Chairman
// decides on, with a derived sprint summary drawn from Stages 18-21.
import { z } from "zod";
import { releaseCategory } from "./enums.ts";
import { stagePrompt } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { list, norm, num, rec, text } from "./stage-18.ts";
import type { Rng, StageContext, StageDefinition } from "./types.ts";

export const releaseDecision = z.enum(["release", "hold", "cancel"]);
export const releaseItemStatus = z.enum(["pending", "approved", "rejected"]);

const analysisObject = z.object({
  releaseItems: z
    .array(
      z.object({
        name: z.string().min(1),
        status: releaseItemStatus,
        approver: z.string().min(1),
        category: releaseCategory,
      }),
    )
    .min(1),
  releaseNotes: z.string().min(20),
  targetDate: z.iso.date(),
  releaseDecision: z.object({
    decision: releaseDecision,
    rationale: z.string().min(10),
    approver: z.string().min(1),
  }),
  sprintRetrospective: z
    .object({
      wentWell: z.array(z.string().min(1)),
      wentPoorly: z.array(z.string().min(1)),
      actionItems: z.array(z.string().min(1)),
    })
    .nullable(),
});
export type ReleaseAnalysis = z.infer<typeof analysisObject>;

const qualityDecisionOrNull = z.enum(["pass", "conditional_pass", "fail"]).nullable();
const reviewDecisionOrNull = z.enum(["approve", "conditional", "reject"]).nullable();

const derivedSchema = z.object({
  sprintSummary: z.object({
    /** Stage 18 sprintGoal. */
    sprintGoal: z.string().nullable(),
    /** Stage 18 sprint items. */
    itemsPlanned: z.number().int().min(0),
    /** Stage 18 items whose Stage 19 task is done. */
    itemsCompleted: z.number().int().min(0),
    /** From Stage 20. */
    qualityAssessment: z.object({
      decision: qualityDecisionOrNull,
      overallPassRate: z.number().nullable(),
      coveragePct: z.number().nullable(),
      openDefects: z.number().int().min(0),
    }),
    /** From Stage 21. */
    integrationStatus: z.object({
      reviewDecision: reviewDecisionOrNull,
      total: z.number().int().min(0),
      passing: z.number().int().min(0),
      degraded: z.number().int().min(0),
      failing: z.number().int().min(0),
      pending: z.number().int().min(0),
    }),
  }),
});
export type ReleaseDerived = z.infer<typeof derivedSchema>;
export type ReleasePackage = ReleaseAnalysis & ReleaseDerived;

/**
 * The sprint summary from the BUILD LOOP's artifacts. itemsCompleted counts the
 * Stage 18 items whose Stage 19 task (matched by name) is done; when no task
 * name matches any item (the tasks were renamed), it falls back to the number
 * of done tasks, capped at the items planned.
 */
export function sprintSummary(ctx: StageContext): ReleaseDerived["sprintSummary"] {
  const plan = rec(ctx.artifacts.sprint_plan?.content);
  const execution = rec(ctx.artifacts.sprint_execution?.content);
  const qa = rec(ctx.artifacts.qa_report?.content);
  const review = rec(ctx.artifacts.build_review?.content);
  const items = list(plan.sprintItems).map((i) => norm(text(i.title)));
  const tasks = list(execution.tasks);
  const done = new Set(tasks.filter((t) => t.status === "done").map((t) => norm(text(t.name))));
  const taskNames = new Set(tasks.map((t) => norm(text(t.name))));
  const matched = items.some((i) => taskNames.has(i));
  const itemsCompleted = matched ? items.filter((i) => done.has(i)).length : Math.min(items.length, done.size);
  const quality = qualityDecisionOrNull.safeParse(rec(qa.qualityDecision).decision ?? null);
  const reviewed = reviewDecisionOrNull.safeParse(rec(review.reviewDecision).decision ?? null);
  const integrations = list(review.integrations);
  const count = (status: string) => integrations.filter((i) => i.status === status).length;
  return {
    sprintGoal: text(plan.sprintGoal) || null,
    itemsPlanned: items.length,
    itemsCompleted,
    qualityAssessment: {
      decision: quality.success ? quality.data : null,
      overallPassRate: num(qa.overallPassRate),
      coveragePct: num(qa.coveragePct),
      openDefects: list(qa.knownDefects).filter((d) => d.status === "open" || d.status === "in_progress").length,
    },
    integrationStatus: {
      reviewDecision: reviewed.success ? reviewed.data : null,
      total: integrations.length,
      passing: count("passing"),
      degraded: count("degraded"),
      failing: count("failing"),
      pending: count("pending"),
    },
  };
}

const CATEGORY: Record<string, z.infer<typeof releaseCategory>> = {
  feature: "feature",
  bugfix: "bugfix",
  infrastructure: "infrastructure",
  integration: "configuration",
  documentation: "documentation",
};

/** The ISO date `days` after the run's date (ctx.asOf): a run never reads the clock. */
export function isoDateAfter(asOf: string, days: number): string {
  const d = new Date(`${asOf.slice(0, 10)}T00:00:00Z`);
  const base = Number.isNaN(d.getTime()) ? new Date(0) : d;
  return new Date(base.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

function simulate(ctx: StageContext, rng: Rng): ReleaseAnalysis {
  const p = ventureProfile(ctx.venture);
  const summary = sprintSummary(ctx);
  const plan = rec(ctx.artifacts.sprint_plan?.content);
  const tasks = list(rec(ctx.artifacts.sprint_execution?.content).tasks);
  const doneTasks = new Set(tasks.filter((t) => t.status === "done").map((t) => norm(text(t.name))));
  const quality = summary.qualityAssessment.decision;
  const review = summary.integrationStatus.reviewDecision;
  const qualityOk = quality === "pass" || quality === "conditional_pass";
  const reviewOk = review === "approve" || review === "conditional";
  const items = list(plan.sprintItems);
  const releaseItems = (items.length ? items : [{ title: "Core workflow", type: "feature" }]).map((i) => {
    const name = text(i.title, "Sprint item");
    const done = doneTasks.has(norm(name));
    return {
      name,
      status: (done && qualityOk ? "approved" : done ? "pending" : "rejected") as z.infer<typeof releaseItemStatus>,
      approver: done && qualityOk ? "Build reviewer (Stage 21)" : "Chairman",
      category: CATEGORY[text(i.type)] ?? "feature",
    };
  });
  const enough = summary.itemsPlanned === 0 || summary.itemsCompleted / summary.itemsPlanned >= 0.6;
  // Release when quality and review let it through and enough shipped; cancel only a weak venture failing both; else hold.
  const decision: z.infer<typeof releaseDecision> =
    qualityOk && reviewOk && enough
      ? "release"
      : quality === "fail" && review === "reject" && p.strength < 0.3
        ? "cancel"
        : "hold";
  const approved = releaseItems.filter((i) => i.status === "approved");
  return {
    releaseItems,
    releaseNotes: approved.length
      ? `${ctx.venture.name}: ${approved.map((i) => i.name).join(", ")}. ${text(plan.sprintGoal)}`.trim()
      : `${ctx.venture.name}: no item is approved for release yet; the sprint goal was: ${text(plan.sprintGoal, "not recorded")}.`,
    targetDate: isoDateAfter(ctx.asOf, rng.int(7, 21)),
    releaseDecision: {
      decision,
      rationale: `Recommendation for the Chairman: quality ${quality ?? "not assessed"}, review ${review ?? "not held"}, ${summary.itemsCompleted} of ${summary.itemsPlanned} items completed.`,
      approver: "Chairman",
    },
    sprintRetrospective: {
      wentWell: summary.itemsCompleted ? [`${summary.itemsCompleted} sprint items completed`] : [],
      wentPoorly: [
        ...(summary.itemsCompleted < summary.itemsPlanned
          ? [`${summary.itemsPlanned - summary.itemsCompleted} items not completed`]
          : []),
        ...(summary.integrationStatus.failing ? [`${summary.integrationStatus.failing} integrations failing`] : []),
      ],
      actionItems:
        decision === "release" ? ["Watch launch metrics daily"] : ["Fix the blocking findings and re-run QA"],
    },
  };
}

export const stage22: StageDefinition<ReleaseAnalysis, ReleaseDerived> = {
  number: 22,
  name: "Release Readiness",
  phase: 5,
  gateType: "promotion",
  consumes: [17, 18, 19, 20, 21],
  produces: ["release_package"],
  analysisSchema: analysisObject,
  artifactSchema: analysisObject.extend(derivedSchema.shape),
  computeDerived: (_analysis, ctx) => ({ sprintSummary: sprintSummary(ctx) }),
  prompt: (ctx) =>
    stagePrompt(ctx, {
      role: "a release manager closing out the build loop for the Chairman",
      task: [
        "Prepare the release: releaseItems (name, status pending|approved|rejected, approver, category feature|bugfix|infrastructure|documentation|configuration), releaseNotes, targetDate (YYYY-MM-DD).",
        "Recommend releaseDecision: release|hold|cancel with a rationale and the approver; the Chairman makes the final call.",
        "Add a sprintRetrospective (wentWell, wentPoorly, actionItems) or null.",
        "Weigh the Stage 20 qualityDecision and the Stage 21 reviewDecision: both must pass (conditional states are warnings) for a release.",
        `Today is ${ctx.asOf}; this is release review ${ctx.runNumber} of the build loop.`,
      ].join("\n"),
    }),
  simulate,
  qualityScore: (artifact) => {
    const s = artifact.sprintSummary;
    const sources =
      (s.sprintGoal ? 1 : 0) +
      (s.itemsPlanned ? 1 : 0) +
      (s.qualityAssessment.decision ? 1 : 0) +
      (s.integrationStatus.reviewDecision ? 1 : 0);
    return Math.round(
      30 + sources * 12.5 + (artifact.sprintRetrospective ? 10 : 0) + (artifact.releaseNotes.length >= 60 ? 10 : 0),
    );
  },
};
