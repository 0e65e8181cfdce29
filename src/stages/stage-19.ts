// Stage 19 — Sprint Execution (spec §8.5): the Stage 18 sprint items become
// tasks; engineering's progress and issues are synthesised into the sprint
// completion decision, whose readyForQa flag opens Stage 20.
import { z } from "zod";
import { defectStatus, severity, taskStatus } from "./enums.ts";
import { engineeringFields } from "./evidence.ts";
import { stagePrompt } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { clamp, list, norm, rec, text } from "./stage-18.ts";
import type { Rng, StageContext, StageDefinition } from "./types.ts";

export const sprintCompletionDecision = z.enum(["complete", "continue", "blocked"]);

const analysisObject = z.object({
  tasks: z
    .array(
      z.object({
        /** The Stage 18 sprint item title the task was initialised from. */
        name: z.string().min(3),
        description: z.string().min(5),
        assignee: z.string().min(1),
        status: taskStatus,
      }),
    )
    .min(1),
  issues: z.array(
    z.object({
      description: z.string().min(5),
      severity,
      status: defectStatus,
    }),
  ),
  sprintCompletion: z.object({
    decision: sprintCompletionDecision,
    /** Gates Stage 20. */
    readyForQa: z.boolean(),
    rationale: z.string().min(10),
  }),
});

const consistentCompletion = (a: z.infer<typeof analysisObject>, issue: z.RefinementCtx) => {
  const { decision, readyForQa } = a.sprintCompletion;
  if (decision === "complete" && !readyForQa)
    issue.addIssue({
      code: "custom",
      path: ["sprintCompletion", "readyForQa"],
      message: "a complete sprint is ready for QA",
    });
  if (decision === "blocked" && readyForQa)
    issue.addIssue({
      code: "custom",
      path: ["sprintCompletion", "readyForQa"],
      message: "a blocked sprint cannot be ready for QA",
    });
};

const analysisSchema = analysisObject.superRefine(consistentCompletion);
export type SprintExecutionAnalysis = z.infer<typeof analysisObject>;
/** §8 names no derived field for Stage 19. */
/** What engineering reported (spec §9 return path), carried into the artifact: null when engineering was never asked. */
const engineeringReportSchema = z
  .object({
    status: z.string(),
    items: z.number().int().min(0),
    succeeded: z.number().int().min(0),
    failed: z.number().int().min(0),
    testsPassed: z.number().int().min(0),
    testsFailed: z.number().int().min(0),
    coverageAvg: z.number().min(0).max(100).nullable(),
  })
  .nullable();
const derivedSchema = z.object({ engineeringReport: engineeringReportSchema });
export type SprintExecutionDerived = z.infer<typeof derivedSchema>;

export function engineeringReport(ctx: StageContext): SprintExecutionDerived["engineeringReport"] {
  const e = ctx.engineering;
  if (!e) return null;
  return {
    status: e.status,
    items: e.items.length,
    succeeded: e.items.filter((i) => i.status === "succeeded").length,
    failed: e.items.filter((i) => i.status === "failed").length,
    testsPassed: e.totals.testsPassed,
    testsFailed: e.totals.testsFailed,
    coverageAvg: e.totals.coverageAvg,
  };
}
export type SprintExecution = SprintExecutionAnalysis;

/** The sprint completion the offline analyst would reach from task and issue states. */
export function completionFrom(
  tasks: { status: string }[],
  issues: { severity: string; status: string }[],
): { decision: z.infer<typeof sprintCompletionDecision>; readyForQa: boolean } {
  const openCritical = issues.some(
    (i) => i.severity === "critical" && (i.status === "open" || i.status === "in_progress"),
  );
  const blocked = tasks.filter((t) => t.status === "blocked").length;
  const done = tasks.filter((t) => t.status === "done").length;
  if (openCritical || blocked * 2 > tasks.length) return { decision: "blocked", readyForQa: false };
  if (done === tasks.length) return { decision: "complete", readyForQa: true };
  return { decision: "continue", readyForQa: false };
}

function simulate(ctx: StageContext, rng: Rng): SprintExecutionAnalysis {
  const p = ventureProfile(ctx.venture);
  const plan = rec(ctx.artifacts.sprint_plan?.content);
  const items = list(plan.sprintItems);
  const sources = items.length
    ? items.map((i) => ({ name: text(i.title, "Sprint item"), description: text(i.description, text(i.title)) }))
    : [{ name: "Core workflow", description: ctx.venture.valueProp }];
  // Progress rises with the venture's strength, falls with difficulty, and each re-run (another pass at the
  // sprint) adds to it. That share of tasks is done; an unfinished task is blocked more often in hard builds.
  const progress = clamp(
    0.7 + p.strength * 0.6 - p.difficulty * 0.35 + (ctx.runNumber - 1) * 0.25 + rng.float(-0.1, 0.1),
    0.05,
    1,
  );
  const done = new Set(
    rng.sample(
      sources.map((_, i) => i),
      Math.round(sources.length * progress),
    ),
  );
  // What engineering reported wins over simulation: a succeeded item is done, a failed or blocked one is blocked.
  const reported = new Map((ctx.engineering?.items ?? []).map((item) => [item.title, item.status]));
  const tasks = sources.map((s, i) => {
    const report = reported.get(s.name);
    const status: z.infer<typeof taskStatus> = report
      ? report === "succeeded"
        ? "done"
        : report === "pending"
          ? "in_progress"
          : "blocked"
      : done.has(i)
        ? "done"
        : rng.chance(0.15 + 0.4 * p.difficulty)
          ? "blocked"
          : "in_progress";
    return {
      name: s.name,
      description: s.description.length >= 5 ? s.description : `${s.description} (sprint item)`,
      assignee: `LEO engineering agent (child SD ${i + 1})`,
      status,
    };
  });
  const issues: SprintExecutionAnalysis["issues"] = [];
  for (const t of tasks.filter((t) => t.status !== "done")) {
    const blocked = t.status === "blocked";
    issues.push({
      description: blocked
        ? `${t.name} is blocked: an upstream dependency or environment is not available`
        : `${t.name} is behind its estimate`,
      // In a hard build a blocker stops the sprint.
      severity: blocked ? (p.difficulty > 0.55 ? "critical" : "high") : "medium",
      status: "open",
    });
  }
  if (rng.chance(0.5))
    issues.push({ description: "Flaky test in the CI pipeline slowed merges", severity: "low", status: "resolved" });
  const { decision, readyForQa } = completionFrom(tasks, issues);
  const doneCount = tasks.filter((t) => t.status === "done").length;
  return {
    tasks,
    issues,
    sprintCompletion: {
      decision,
      readyForQa,
      rationale:
        decision === "complete"
          ? `All ${tasks.length} tasks are done; the sprint is ready for QA.`
          : decision === "blocked"
            ? `${tasks.filter((t) => t.status === "blocked").length} of ${tasks.length} tasks are blocked or a critical issue is open; the sprint cannot proceed.`
            : `${doneCount} of ${tasks.length} tasks are done; the sprint continues before QA.`,
    },
  };
}

export const stage19: StageDefinition<SprintExecutionAnalysis, SprintExecutionDerived> = {
  number: 19,
  name: "Sprint Execution",
  phase: 5,
  gateType: "sprint_completion",
  consumes: [18],
  produces: ["sprint_execution"],
  analysisSchema,
  artifactSchema: analysisSchema.extend(derivedSchema.shape),
  computeDerived: (_analysis, ctx) => ({ engineeringReport: engineeringReport(ctx) }),
  prompt: (ctx) => {
    const items = list(rec(ctx.artifacts.sprint_plan?.content).sprintItems).map((i) => text(i.title));
    return stagePrompt(ctx, {
      role: "an engineering manager reporting on a sprint in progress",
      task: [
        `Report pass ${ctx.runNumber} over the sprint: tasks, one per Stage 18 sprint item (name = the item title, description, assignee, status pending|in_progress|done|blocked).`,
        "List the issues met (description, severity critical|high|medium|low, status open|in_progress|resolved|wontfix).",
        "Decide sprintCompletion: decision complete|continue|blocked, readyForQa (true only when the work can go to QA; never when blocked; always when complete) and a rationale.",
      ].join("\n"),
      rules: [
        items.length ? `Sprint items: ${items.join("; ")}` : "The sprint plan lists no items.",
        "Report engineering's actual results; do not invent progress.",
      ],
    });
  },
  simulate,
  measuredFields: (artifact, ctx) =>
    engineeringFields(["engineeringReport"], ctx.engineering, artifact.engineeringReport !== null),
  qualityScore: (artifact, ctx) => {
    const items = new Set(list(rec(ctx.artifacts.sprint_plan?.content).sprintItems).map((i) => norm(text(i.title))));
    const traced = artifact.tasks.filter((t) => items.has(norm(t.name))).length / artifact.tasks.length;
    const covered = items.size
      ? [...items].filter((i) => artifact.tasks.some((t) => norm(t.name) === i)).length / items.size
      : 0;
    return Math.round(40 + 25 * traced + 25 * covered + (artifact.sprintCompletion.rationale.length >= 30 ? 10 : 0));
  },
};
