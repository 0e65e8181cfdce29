// Stage 23 — Launch Execution, kill gate (spec §8.6): the launch brief. Launch
// type, go decision, launch tasks, rollback triggers and the success criteria
// that Stage 24 evaluates. §8 names no derived field for this stage.
import { z } from "zod";
import { launchType, taskStatus } from "./enums.ts";
import { stagePrompt } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { clamp, rec, text } from "./stage-18.ts";
import { isoDateAfter } from "./stage-22.ts";
import type { Rng, StageContext, StageDefinition } from "./types.ts";

export const goDecision = z.enum(["go", "no-go"]);
export const criterionPriority = z.enum(["primary", "secondary"]);

const successCriterion = z.object({
  /** What is measured; Stage 24 metrics point back here through criterionRef. */
  metric: z.string().min(2),
  /** The threshold, e.g. "100", "≥ 40%", "≤ 5%". */
  target: z.string().min(1),
  measurementWindow: z.string().min(2),
  priority: criterionPriority,
});
export type SuccessCriterion = z.infer<typeof successCriterion>;

const analysisObject = z.object({
  launchType,
  goDecision,
  launchTasks: z.array(z.object({ name: z.string().min(1), owner: z.string().min(1), status: taskStatus })).min(1),
  plannedLaunchDate: z.iso.date(),
  actualLaunchDate: z.iso.date().nullable(),
  successCriteria: z.array(successCriterion).min(1),
  rollbackTriggers: z.array(z.object({ condition: z.string().min(3), action: z.string().min(3) })),
  incidentResponsePlan: z.string().min(10),
  monitoringSetup: z.string().min(10),
  rollbackPlan: z.string().min(10),
});

const uniqueCriteria = (a: z.infer<typeof analysisObject>, issue: z.RefinementCtx) => {
  const seen = new Set<string>();
  a.successCriteria.forEach((c, i) => {
    const key = c.metric.toLowerCase().trim();
    if (seen.has(key))
      issue.addIssue({
        code: "custom",
        path: ["successCriteria", i, "metric"],
        message: "success criteria metrics must be unique: Stage 24 refers to them by metric",
      });
    seen.add(key);
  });
};

const analysisSchema = analysisObject.superRefine(uniqueCriteria);
export type LaunchPlanAnalysis = z.infer<typeof analysisObject>;
export type LaunchPlanDerived = Record<never, never>;
export type LaunchPlan = LaunchPlanAnalysis;

const WINDOW = /\s+(?:in|within|by|over)\s+(?:the\s+first\s+)?(\d+)\s+(days?|weeks?|months?|years?)\s*$/i;
const RATE = /\s+(?:a|per|each)\s+(day|week|month|year)\s*$/i;

/**
 * Reads a Stage 1 success criterion written in words ("100 paying firms in 12 months",
 * "1,000 sublets a month") into metric, target and window. Criteria without a number
 * keep their words as the metric and "achieved" as the target.
 */
export function parseCriterion(
  raw: string,
  defaultWindow = "90 days",
): { metric: string; target: string; measurementWindow: string } {
  let rest = raw.trim().replace(/\.$/, "");
  let measurementWindow = defaultWindow;
  const w = rest.match(WINDOW);
  if (w) {
    measurementWindow = `${w[1]} ${w[2]}`;
    rest = rest.slice(0, w.index).trim();
  }
  const r = rest.match(RATE);
  let per = "";
  if (r) {
    per = ` per ${(r[1] as string).toLowerCase()}`;
    rest = rest.slice(0, r.index).trim();
  }
  const m = rest.match(/^(?:at least\s+|over\s+|more than\s+)?([€$£]?\s?\d[\d,.]*\s?(?:%|k|m)?)\s+(.+)$/i);
  if (!m) return { metric: raw.trim(), target: "achieved", measurementWindow };
  return { metric: `${(m[2] as string).trim()}${per}`, target: (m[1] as string).replace(/\s/g, ""), measurementWindow };
}

/** The success criteria of a launch: the venture's own (primary), else a standard pair for its launch type. */
export function criteriaFor(
  venture: StageContext["venture"],
  type: z.infer<typeof launchType>,
): LaunchPlanAnalysis["successCriteria"] {
  const window = type === "general_availability" ? "90 days" : "60 days";
  const own = venture.successCriteria.map((c) => ({ ...parseCriterion(c, window), priority: "primary" as const }));
  const seen = new Set(own.map((c) => c.metric.toLowerCase()));
  const standard = [
    {
      metric: "Activation rate (%)",
      target: type === "general_availability" ? "40" : "30",
      measurementWindow: "30 days",
    },
    { metric: "Week-4 retention (%)", target: "35", measurementWindow: "30 days" },
  ]
    .filter((c) => !seen.has(c.metric.toLowerCase()))
    .map((c) => ({ ...c, priority: own.length ? ("secondary" as const) : ("primary" as const) }));
  const unique = own.filter((c, i) => own.findIndex((o) => o.metric.toLowerCase() === c.metric.toLowerCase()) === i);
  return [...unique, ...standard];
}

function simulate(ctx: StageContext, rng: Rng): LaunchPlanAnalysis {
  const p = ventureProfile(ctx.venture);
  const release = rec(ctx.artifacts.release_package?.content);
  const released = rec(release.releaseDecision).decision === "release";
  const summary = rec(release.sprintSummary);
  const conditional =
    rec(summary.qualityAssessment).decision === "conditional_pass" ||
    rec(summary.integrationStatus).reviewDecision === "conditional";
  const type: z.infer<typeof launchType> =
    p.strength > 0.65 && !conditional ? "general_availability" : p.strength > 0.4 ? "beta" : "soft_launch";
  // Launch preparation: strong ventures finish their tasks; the odd one is still blocked.
  const readiness = clamp(0.3 + p.strength * 0.8 + (ctx.runNumber - 1) * 0.2, 0, 1.2);
  const tasks = [
    ["Production deployment", "Engineering (LEO)"],
    ["Monitoring dashboards and alerts", "Engineering (LEO)"],
    ["Support playbook and help centre", "Operations"],
    ["Launch announcement to the first customer tier", "Marketing"],
    ["Billing and terms live", "Finance"],
  ].map(([name, owner]) => {
    const roll = rng.next() + readiness * 0.6;
    const status: z.infer<typeof taskStatus> =
      roll > 0.75 ? "done" : roll > 0.5 ? "in_progress" : roll > 0.35 ? "pending" : "blocked";
    return { name: name as string, owner: owner as string, status };
  });
  const blocked = tasks.some((t) => t.status === "blocked");
  const go = released && !blocked;
  const targetDate = text(release.targetDate);
  const plannedLaunchDate = /^\d{4}-\d{2}-\d{2}$/.test(targetDate) ? targetDate : isoDateAfter(ctx.asOf, 14);
  return {
    launchType: type,
    goDecision: go ? "go" : "no-go",
    launchTasks: tasks,
    plannedLaunchDate,
    actualLaunchDate: null,
    successCriteria: criteriaFor(ctx.venture, type),
    rollbackTriggers: [
      { condition: "Error rate above 5% for 15 minutes", action: "Roll back to the previous release" },
      { condition: "Any data-integrity incident", action: "Freeze writes, roll back and notify affected customers" },
    ],
    incidentResponsePlan: "On-call engineer paged by alerting; severity triage within 15 minutes; status page updated.",
    monitoringSetup: "Uptime, error-rate and latency dashboards with alerts; product analytics for the AARRR funnel.",
    rollbackPlan: "Blue-green deployment: switch traffic back to the previous release, then run data checks.",
  };
}

export const stage23: StageDefinition<LaunchPlanAnalysis, LaunchPlanDerived> = {
  number: 23,
  name: "Launch Execution",
  phase: 6,
  gateType: "kill",
  consumes: [1, 22],
  produces: ["launch_plan"],
  analysisSchema,
  artifactSchema: analysisSchema,
  computeDerived: () => ({}),
  prompt: (ctx) =>
    stagePrompt(ctx, {
      role: "a launch director writing the launch readiness brief",
      task: [
        "Write the launch brief: launchType (soft_launch|beta|general_availability), goDecision (go|no-go), launchTasks (name, owner, status pending|in_progress|done|blocked), plannedLaunchDate and actualLaunchDate (YYYY-MM-DD or null).",
        "Define successCriteria (at least one; metric, target, measurementWindow, priority primary|secondary), starting from the venture's Stage 1 success criteria; Stage 24 evaluates the launch against them.",
        "Give rollbackTriggers (condition, action), incidentResponsePlan, monitoringSetup and rollbackPlan.",
        "Launch only on a Stage 22 release decision of release; a blocked launch task means no-go.",
        `Today is ${ctx.asOf}.`,
      ].join("\n"),
    }),
  simulate,
  qualityScore: (artifact) => {
    const measurable =
      artifact.successCriteria.filter((c) => /\d/.test(c.target)).length / artifact.successCriteria.length;
    return Math.round(
      40 +
        30 * measurable +
        (artifact.rollbackTriggers.length ? 15 : 0) +
        (artifact.successCriteria.some((c) => c.priority === "primary") ? 15 : 0),
    );
  },
};
