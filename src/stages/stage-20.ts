// Stage 20 — Quality Assurance (spec §8.5, §9 return path): test suites over
// the Stage 19 tasks and the known defects, with the derived totals the
// quality gate reads (pass rate ≥ 95 %, coverage ≥ 60 %) and the quality decision.
import { z } from "zod";
import { defectStatus, severity, testType } from "./enums.ts";
import { stagePrompt } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { clamp, list, norm, rec, text } from "./stage-18.ts";
import type { Rng, StageContext, StageDefinition } from "./types.ts";

export const qualityDecision = z.enum(["pass", "conditional_pass", "fail"]);
/** The thresholds of §8 Stage 20 (and of the quality gate). */
export const PASS_RATE_THRESHOLD = 95;
export const COVERAGE_THRESHOLD = 60;

const testSuite = z.object({
  name: z.string().min(1),
  type: testType,
  totalTests: z.number().int().min(1),
  passingTests: z.number().int().min(0),
  coveragePct: z.number().min(0).max(100),
  /** Stage 19 task names the suite covers. */
  taskRefs: z.array(z.string().min(1)),
});

const analysisObject = z.object({
  testSuites: z.array(testSuite).min(1),
  knownDefects: z.array(
    z.object({
      description: z.string().min(5),
      severity,
      status: defectStatus,
      testSuiteRef: z.string().min(1).nullable(),
    }),
  ),
  qualityDecision: z.object({ decision: qualityDecision, rationale: z.string().min(10) }),
});

const passingWithinTotal = (a: z.infer<typeof analysisObject>, issue: z.RefinementCtx) => {
  a.testSuites.forEach((s, i) => {
    if (s.passingTests > s.totalTests)
      issue.addIssue({
        code: "custom",
        path: ["testSuites", i, "passingTests"],
        message: "passingTests cannot exceed totalTests",
      });
  });
};

const analysisSchema = analysisObject.superRefine(passingWithinTotal);
export type QaAnalysis = z.infer<typeof analysisObject>;

const derivedSchema = z.object({
  /** Σ (totalTests − passingTests). */
  totalFailures: z.number().int().min(0),
  /** Σ passing / Σ total, in percent, two decimals rounded down (a rate is never overstated at a threshold). */
  overallPassRate: z.number().min(0).max(100),
  /** Test-weighted average coverage: Σ (coveragePct × totalTests) / Σ totalTests, percent, two decimals rounded down. */
  coveragePct: z.number().min(0).max(100),
});
export type QaDerived = z.infer<typeof derivedSchema>;
export type QaReport = QaAnalysis & QaDerived;

const floor2 = (x: number) => Math.floor(x * 100 + 1e-9) / 100;

export function qaTotals(suites: { totalTests: number; passingTests: number; coveragePct: number }[]): QaDerived {
  const total = suites.reduce((s, t) => s + t.totalTests, 0);
  const passing = suites.reduce((s, t) => s + t.passingTests, 0);
  const covered = suites.reduce((s, t) => s + t.coveragePct * t.totalTests, 0);
  return {
    totalFailures: total - passing,
    overallPassRate: total ? floor2((passing * 100) / total) : 0,
    coveragePct: total ? floor2(covered / total) : 0,
  };
}

/** The decision the offline analyst reaches: thresholds met and nothing critical open → pass; met with a high/critical defect open → conditional_pass; else fail. */
export function decideQuality(
  totals: QaDerived,
  defects: { severity: string; status: string }[],
): z.infer<typeof qualityDecision> {
  if (totals.overallPassRate < PASS_RATE_THRESHOLD || totals.coveragePct < COVERAGE_THRESHOLD) return "fail";
  const open = defects.filter((d) => d.status === "open" || d.status === "in_progress");
  if (open.some((d) => d.severity === "critical" || d.severity === "high")) return "conditional_pass";
  return "pass";
}

function simulate(ctx: StageContext, rng: Rng): QaAnalysis {
  const p = ventureProfile(ctx.venture);
  const execution = rec(ctx.artifacts.sprint_execution?.content);
  const tasks = list(execution.tasks);
  const names = tasks.map((t) => text(t.name)).filter(Boolean);
  const done = tasks.filter((t) => t.status === "done").map((t) => text(t.name));
  const unfinished = tasks.length ? 1 - done.length / tasks.length : 0.5;
  // Build quality: the venture's strength and ease, minus unfinished work; each QA re-run follows fixes.
  const q = clamp(
    0.55 * p.strength +
      0.45 * (1 - p.difficulty) -
      0.25 * unfinished +
      0.07 * (ctx.runNumber - 1) +
      rng.float(-0.05, 0.05),
    0,
    1,
  );
  const refs = done.length ? done : names.length ? names : ["Core workflow"];
  const n = Math.max(1, refs.length);
  const suites = (
    [
      ["Unit tests", "unit", 40 * n, 0.02],
      ["Integration tests", "integration", 12 * n, 0.0],
      ["End-to-end tests", "e2e", 4 * n + 4, -0.03],
    ] as const
  ).map(([name, type, base, bias]) => {
    const totalTests = Math.round(base * rng.float(0.8, 1.2));
    const passRate = clamp(0.88 + 0.14 * q + bias + rng.float(-0.01, 0.01), 0, 1);
    return {
      name,
      type,
      totalTests,
      passingTests: Math.min(totalTests, Math.round(totalTests * passRate)),
      coveragePct: Math.round(clamp(35 + 50 * q + bias * 100 + rng.float(-3, 3), 0, 100) * 10) / 10,
      taskRefs: type === "unit" ? refs : refs.slice(0, Math.max(1, Math.ceil(refs.length / 2))),
    };
  });
  const knownDefects: QaAnalysis["knownDefects"] = suites
    .filter((s) => s.passingTests < s.totalTests)
    .map((s) => {
      const failing = s.totalTests - s.passingTests;
      // A failing end-to-end test in a shaky build is a user-visible defect.
      const sev = s.type === "e2e" && q < 0.62 ? "high" : failing > 5 ? "medium" : "low";
      return {
        description: `${failing} failing ${s.name.toLowerCase()} around ${s.taskRefs[0] ?? "the core workflow"}`,
        severity: sev as z.infer<typeof severity>,
        status: q > 0.7 && rng.chance(0.5) ? "resolved" : "open",
        testSuiteRef: s.name,
      };
    });
  if (q < 0.35)
    knownDefects.push({
      description: "Data loss when a session expires mid-save",
      severity: "critical",
      status: "open",
      testSuiteRef: "End-to-end tests",
    });
  const totals = qaTotals(suites);
  const decision = decideQuality(totals, knownDefects);
  return {
    testSuites: suites,
    knownDefects,
    qualityDecision: {
      decision,
      rationale: `Pass rate ${totals.overallPassRate}% (threshold ${PASS_RATE_THRESHOLD}%), coverage ${totals.coveragePct}% (threshold ${COVERAGE_THRESHOLD}%), ${knownDefects.filter((d) => d.status === "open").length} open defects.`,
    },
  };
}

export const stage20: StageDefinition<QaAnalysis, QaDerived> = {
  number: 20,
  name: "Quality Assurance",
  phase: 5,
  gateType: "quality",
  consumes: [19],
  produces: ["qa_report"],
  analysisSchema,
  artifactSchema: analysisObject.extend(derivedSchema.shape).superRefine(passingWithinTotal),
  computeDerived: (analysis) => qaTotals(analysis.testSuites),
  prompt: (ctx) => {
    const execution = rec(ctx.artifacts.sprint_execution?.content);
    const ready = rec(execution.sprintCompletion).readyForQa === true;
    return stagePrompt(ctx, {
      role: "a QA lead assessing a sprint's build",
      task: [
        `QA run ${ctx.runNumber}: report the testSuites run against the sprint (name, type unit|integration|e2e, totalTests, passingTests, coveragePct 0-100, taskRefs = the Stage 19 task names covered).`,
        "List knownDefects (description, severity critical|high|medium|low, status open|in_progress|resolved|wontfix, testSuiteRef or null).",
        `Decide qualityDecision (pass|conditional_pass|fail) with a rationale. The gate requires an overall pass rate of at least ${PASS_RATE_THRESHOLD}% and coverage of at least ${COVERAGE_THRESHOLD}%; these are computed from your suites.`,
      ].join("\n"),
      rules: [
        ready ? "Stage 19 marked the sprint ready for QA." : "Stage 19 did NOT mark the sprint ready for QA: say so.",
        "Report measured results only; never invent test results.",
      ],
    });
  },
  simulate,
  qualityScore: (artifact, ctx) => {
    const tasks = new Set(list(rec(ctx.artifacts.sprint_execution?.content).tasks).map((t) => norm(text(t.name))));
    const referenced = new Set(artifact.testSuites.flatMap((s) => s.taskRefs.map(norm)));
    const traced = tasks.size ? [...tasks].filter((t) => referenced.has(t)).length / tasks.size : 0;
    const types = new Set(artifact.testSuites.map((s) => s.type)).size / 3;
    const defectsLinked = artifact.knownDefects.length
      ? artifact.knownDefects.filter((d) => d.testSuiteRef).length / artifact.knownDefects.length
      : 1;
    return Math.round(30 + 30 * traced + 25 * types + 15 * defectsLinked);
  },
};
