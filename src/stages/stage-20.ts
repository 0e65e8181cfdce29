// Stage 20 — Quality Assurance (spec §8.5, §9 return path): the analyst writes
// the QA plan over the Stage 19 tasks and triages the defects; the suites, pass
// rate and coverage are engineering's measured results (the SD work items'
// reports, eva.fn_sd_results), aggregated here, and the quality gate decides on
// them (pass rate ≥ 95 %, coverage ≥ 60 %). No reported results: quality fails.
import { z } from "zod";
import { defectStatus, severity, testType } from "./enums.ts";
import { engineeringFields } from "./evidence.ts";
import { stagePrompt } from "./prompt.ts";
import { list, norm, rec, text } from "./stage-18.ts";
import type { Rng, StageContext, StageDefinition } from "./types.ts";

export const qualityDecision = z.enum(["pass", "conditional_pass", "fail"]);
/** The thresholds of §8 Stage 20 (and of the quality gate). */
export const PASS_RATE_THRESHOLD = 95;
export const COVERAGE_THRESHOLD = 60;

/** A suite the QA plan names: the analyst's plan, not a result. */
const plannedSuite = z.object({
  name: z.string().min(1),
  type: testType,
  /** Stage 19 task names the suite covers. */
  taskRefs: z.array(z.string().min(1)),
  /** What the suite checks. */
  focus: z.string().min(5),
});

/**
 * What the analyst writes: the QA plan and the triage of what engineering
 * reported. Test counts, pass rate, coverage and the quality decision are not
 * the analyst's: they are derived from engineering's measured results.
 */
const analysisObject = z.object({
  testPlan: z.array(plannedSuite).min(1),
  knownDefects: z.array(
    z.object({
      description: z.string().min(5),
      severity,
      status: defectStatus,
      /** The measured suite (an SD work item's title) or planned suite the defect was found in, or null. */
      testSuiteRef: z.string().min(1).nullable(),
    }),
  ),
  /** The triage narrative: what the failures mean and what to fix first. */
  triage: z.string().min(10),
});

const analysisSchema = analysisObject;
export type QaAnalysis = z.infer<typeof analysisObject>;

/** One SD work item's reported results: a measured suite. */
const measuredSuite = z.object({
  name: z.string().min(1),
  workItemId: z.string().nullable(),
  status: z.string(),
  totalTests: z.number().int().min(0),
  passingTests: z.number().int().min(0),
  coveragePct: z.number().min(0).max(100).nullable(),
});
export type MeasuredSuite = z.infer<typeof measuredSuite>;

/** Where Stage 20's measured numbers come from (spec §9 return path). */
export const MEASURED_SOURCE = "eva.sd_work_items via eva.fn_sd_results";

const derivedSchema = z.object({
  /** The sprint's SD work items that reported results, one suite each (engineering's numbers, never the analyst's). */
  testSuites: z.array(measuredSuite),
  /** Where the numbers come from, and how many items reported; null when engineering reported nothing. */
  testResults: z
    .object({
      source: z.string(),
      sprintStatus: z.string(),
      itemsReported: z.number().int(),
      itemsTotal: z.number().int(),
    })
    .nullable(),
  /** Σ (totalTests − passingTests); null when no test ran. */
  totalFailures: z.number().int().min(0).nullable(),
  /** Σ passing / Σ total, in percent, two decimals rounded down (a rate is never overstated at a threshold); null when no test ran. */
  overallPassRate: z.number().min(0).max(100).nullable(),
  /**
   * Coverage weighted by tests run: Σ (coveragePct × totalTests) / Σ totalTests over the items that reported
   * coverage (the plain mean when none of them ran a test), percent, two decimals rounded down; null when no
   * item reported coverage.
   */
  coveragePct: z.number().min(0).max(100).nullable(),
  /** Decided from the measured numbers and the triaged defects (decideQuality), never stated by the analyst. */
  qualityDecision: z.object({ decision: qualityDecision, rationale: z.string().min(10) }),
});
export type QaDerived = z.infer<typeof derivedSchema>;
export type QaReport = QaAnalysis & QaDerived;
export type QaTotals = Pick<QaDerived, "totalFailures" | "overallPassRate" | "coveragePct">;

const floor2 = (x: number) => Math.floor(x * 100 + 1e-9) / 100;

export function qaTotals(suites: { totalTests: number; passingTests: number; coveragePct: number | null }[]): QaTotals {
  const total = suites.reduce((s, t) => s + t.totalTests, 0);
  const passing = suites.reduce((s, t) => s + t.passingTests, 0);
  const covered = suites.filter((t): t is typeof t & { coveragePct: number } => t.coveragePct !== null);
  const weight = covered.reduce((s, t) => s + t.totalTests, 0);
  const coverage = !covered.length
    ? null
    : weight
      ? covered.reduce((s, t) => s + t.coveragePct * t.totalTests, 0) / weight
      : covered.reduce((s, t) => s + t.coveragePct, 0) / covered.length;
  return {
    totalFailures: total ? total - passing : null,
    overallPassRate: total ? floor2((passing * 100) / total) : null,
    coveragePct: coverage === null ? null : floor2(coverage),
  };
}

/** Engineering's reported items as measured suites: only items that reported test counts. */
export function measuredSuites(engineering: StageContext["engineering"]): MeasuredSuite[] {
  return (engineering?.items ?? [])
    .filter((i) => i.testsPassed !== null && i.testsFailed !== null)
    .map((i) => ({
      name: i.title,
      workItemId: i.id ?? null,
      status: i.status,
      totalTests: (i.testsPassed ?? 0) + (i.testsFailed ?? 0),
      passingTests: i.testsPassed ?? 0,
      coveragePct: i.coveragePct,
    }));
}

/**
 * The quality decision from measured totals and the triaged defects: no measured pass rate or coverage → fail;
 * a threshold missed or a critical defect open → fail; thresholds met with a high defect open → conditional_pass;
 * else pass.
 */
export function decideQuality(
  totals: Pick<QaTotals, "overallPassRate" | "coveragePct">,
  defects: { severity: string; status: string }[],
  thresholds = thresholdsOf(undefined),
): z.infer<typeof qualityDecision> {
  const { overallPassRate: rate, coveragePct: coverage } = totals;
  if (rate === null || coverage === null || rate < thresholds.passRate || coverage < thresholds.coverage) return "fail";
  const open = defects.filter((d) => d.status === "open" || d.status === "in_progress");
  if (open.some((d) => d.severity === "critical")) return "fail";
  if (open.some((d) => d.severity === "high")) return "conditional_pass";
  return "pass";
}

/** The thresholds in force: the Chairman's (ctx.qualityThresholds), else the spec's 95 % and 60 %. */
function thresholdsOf(ctx: Pick<StageContext, "qualityThresholds"> | undefined) {
  return ctx?.qualityThresholds ?? { passRate: PASS_RATE_THRESHOLD, coverage: COVERAGE_THRESHOLD };
}

function derive(analysis: QaAnalysis, ctx: StageContext): QaDerived {
  const suites = measuredSuites(ctx.engineering);
  const totals = qaTotals(suites);
  const thresholds = thresholdsOf(ctx);
  const decision = decideQuality(totals, analysis.knownDefects, thresholds);
  const open = analysis.knownDefects.filter((d) => d.status === "open" || d.status === "in_progress").length;
  const rationale = !suites.length
    ? "No test results reported by engineering for this sprint: the pass rate and coverage are unknown, so quality cannot pass."
    : `Measured by engineering over ${suites.length} work item(s): pass rate ${totals.overallPassRate ?? "unknown (no test ran)"}${totals.overallPassRate === null ? "" : "%"} (threshold ${thresholds.passRate}%), coverage ${totals.coveragePct ?? "not reported"}${totals.coveragePct === null ? "" : "%"} (threshold ${thresholds.coverage}%), ${open} open defect(s).`;
  return {
    testSuites: suites,
    testResults: ctx.engineering
      ? {
          source: MEASURED_SOURCE,
          sprintStatus: ctx.engineering.status,
          itemsReported: suites.length,
          itemsTotal: ctx.engineering.items.length,
        }
      : null,
    ...totals,
    qualityDecision: { decision, rationale },
  };
}

function simulate(ctx: StageContext, rng: Rng): QaAnalysis {
  const execution = rec(ctx.artifacts.sprint_execution?.content);
  const tasks = list(execution.tasks);
  const names = tasks.map((t) => text(t.name)).filter(Boolean);
  const done = tasks.filter((t) => t.status === "done").map((t) => text(t.name));
  const refs = done.length ? done : names.length ? names : ["Core workflow"];
  const half = refs.slice(0, Math.max(1, Math.ceil(refs.length / 2)));
  const testPlan: QaAnalysis["testPlan"] = [
    { name: "Unit tests", type: "unit", taskRefs: refs, focus: "Each task's business rules in isolation" },
    {
      name: "Integration tests",
      type: "integration",
      taskRefs: half,
      focus: "The tasks against the database and APIs",
    },
    {
      name: "End-to-end tests",
      type: "e2e",
      taskRefs: half,
      focus: `The core journey: ${ctx.venture.valueProp}`.slice(0, 200),
    },
  ];
  // Triage of what engineering measured: each item with failing tests or a failed report is a defect.
  const knownDefects: QaAnalysis["knownDefects"] = [];
  for (const s of measuredSuites(ctx.engineering)) {
    const failing = s.totalTests - s.passingTests;
    const share = s.totalTests ? failing / s.totalTests : 0;
    if (failing > 0)
      knownDefects.push({
        description: `${failing} of ${s.totalTests} tests failing in ${s.name}`,
        severity: share > 0.2 ? "critical" : share > 0.05 ? "high" : share > 0.01 ? "medium" : "low",
        status: "open",
        testSuiteRef: s.name,
      });
    if (s.status === "failed" || s.status === "blocked")
      knownDefects.push({
        description: `${s.name} was reported ${s.status} by engineering`,
        severity: "high",
        status: "open",
        testSuiteRef: s.name,
      });
  }
  const measured = measuredSuites(ctx.engineering).length;
  const triage = !measured
    ? "Engineering has reported no test results for this sprint: there is nothing measured to triage, and QA cannot pass without them."
    : knownDefects.length
      ? `${knownDefects.length} defect(s) triaged from engineering's results; fix first: ${knownDefects[0]?.description}${rng.chance(0.5) ? ", then re-run the suites" : ""}.`
      : `All ${measured} reported work items pass their tests; no defect to triage.`;
  return { testPlan, knownDefects, triage };
}

export const stage20: StageDefinition<QaAnalysis, QaDerived> = {
  number: 20,
  name: "Quality Assurance",
  phase: 5,
  gateType: "quality",
  consumes: [19],
  produces: ["qa_report"],
  analysisSchema,
  artifactSchema: analysisObject.extend(derivedSchema.shape),
  computeDerived: derive,
  prompt: (ctx) => {
    const execution = rec(ctx.artifacts.sprint_execution?.content);
    const ready = rec(execution.sprintCompletion).readyForQa === true;
    const thresholds = thresholdsOf(ctx);
    return stagePrompt(ctx, {
      role: "a QA lead assessing a sprint's build",
      task: [
        `QA run ${ctx.runNumber}: write the testPlan for the sprint (name, type unit|integration|e2e, taskRefs = the Stage 19 task names covered, focus = what the suite checks).`,
        "Triage engineering's reported results (the Engineering report above): knownDefects (description, severity critical|high|medium|low, status open|in_progress|resolved|wontfix, testSuiteRef = the work item or planned suite, or null) and a triage narrative (what the failures mean, what to fix first).",
        `Do not state test counts, pass rates, coverage or the quality decision: EVA takes them from engineering's measured results and decides (pass rate at least ${thresholds.passRate}%, coverage at least ${thresholds.coverage}%, no critical defect open).`,
      ].join("\n"),
      rules: [
        ready ? "Stage 19 marked the sprint ready for QA." : "Stage 19 did NOT mark the sprint ready for QA: say so.",
        ctx.engineering
          ? "Triage only what engineering reported; never invent test results."
          : "Engineering reported no test results: say so in the triage; never invent test results.",
      ],
    });
  },
  simulate,
  measuredFields: (artifact, ctx) =>
    engineeringFields(
      ["testSuites", "testResults", "totalFailures", "overallPassRate", "coveragePct"],
      ctx.engineering,
      artifact.testSuites.length > 0,
    ),
  qualityScore: (artifact, ctx) => {
    const tasks = new Set(list(rec(ctx.artifacts.sprint_execution?.content).tasks).map((t) => norm(text(t.name))));
    const referenced = new Set(artifact.testPlan.flatMap((s) => s.taskRefs.map(norm)));
    const traced = tasks.size ? [...tasks].filter((t) => referenced.has(t)).length / tasks.size : 0;
    const types = new Set(artifact.testPlan.map((s) => s.type)).size / 3;
    const defectsLinked = artifact.knownDefects.length
      ? artifact.knownDefects.filter((d) => d.testSuiteRef).length / artifact.knownDefects.length
      : 1;
    return Math.round(30 + 30 * traced + 25 * types + 15 * defectsLinked);
  },
};
