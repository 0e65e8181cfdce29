// Stage 21 — Build Review (spec §8.5): the technical review. From the Stage 20
// quality data and the integrations' state, is the build sound? Stage 22 then
// makes the business call on releasing it.
import { z } from "zod";
import { severity } from "./enums.ts";
import { stagePrompt } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { clamp, list, rec, text } from "./stage-18.ts";
import type { Rng, StageContext, StageDefinition } from "./types.ts";

export const reviewDecision = z.enum(["approve", "conditional", "reject"]);
/** Integration check state (§8 leaves it free text; §7.3 asks for an enum). */
export const integrationStatus = z.enum(["passing", "degraded", "failing", "pending"]);
export const environment = z.enum(["development", "staging", "production"]);

const analysisObject = z.object({
  integrations: z.array(
    z.object({
      name: z.string().min(1),
      status: integrationStatus,
      /** How much a problem with this integration matters. */
      severity,
      environment,
    }),
  ),
  reviewDecision: z.object({
    decision: reviewDecision,
    rationale: z.string().min(10),
    conditions: z.array(z.string().min(3)),
  }),
});

const conditionsWhenConditional = (a: z.infer<typeof analysisObject>, issue: z.RefinementCtx) => {
  if (a.reviewDecision.decision === "conditional" && a.reviewDecision.conditions.length === 0)
    issue.addIssue({
      code: "custom",
      path: ["reviewDecision", "conditions"],
      message: "a conditional approval names its conditions",
    });
};

const analysisSchema = analysisObject.superRefine(conditionsWhenConditional);
export type BuildReviewAnalysis = z.infer<typeof analysisObject>;
/** §8 names no derived field for Stage 21. */
export type BuildReviewDerived = Record<never, never>;
export type BuildReview = BuildReviewAnalysis;

/** The offline analyst's review: reject on failed quality or a failing critical integration; conditional on any doubt; else approve. */
export function decideReview(
  quality: string | undefined,
  integrations: { status: string; severity: string }[],
): z.infer<typeof reviewDecision> {
  const failingCritical = integrations.some((i) => i.status === "failing" && i.severity === "critical");
  if (quality === "fail" || failingCritical) return "reject";
  if (quality !== "pass" || integrations.some((i) => i.status !== "passing")) return "conditional";
  return "approve";
}

function simulate(ctx: StageContext, rng: Rng): BuildReviewAnalysis {
  const p = ventureProfile(ctx.venture);
  const qa = rec(ctx.artifacts.qa_report?.content);
  const quality = text(rec(qa.qualityDecision).decision) || undefined;
  const passRate = typeof qa.overallPassRate === "number" ? qa.overallPassRate : 90;
  // Integration health follows test results and the venture's ease of build.
  const health = clamp((passRate - 88) / 10 + (1 - p.difficulty) * 0.3 + (ctx.runNumber - 1) * 0.1, 0, 1);
  const suites = list(qa.testPlan).filter((s) => s.type === "integration" || s.type === "e2e");
  const names = [
    "Application ↔ database",
    ...suites.map((s) => `${text(s.name, "Integration suite")} in CI`),
    ctx.venture.archetype === "fintech" || ctx.venture.archetype === "marketplace"
      ? "Payment provider"
      : "Email delivery",
    "Authentication provider",
    "Monitoring and alerting",
  ];
  const integrations = names.map((name, i) => {
    // A healthy build passes nearly every check; otherwise the trouble is worse the less healthy it is.
    const hasTrouble = !rng.chance(clamp(0.55 + 0.43 * health, 0, 0.98));
    const roll = rng.next() * (1 - health * 0.5);
    const status: z.infer<typeof integrationStatus> = !hasTrouble
      ? "passing"
      : roll < 0.25
        ? "degraded"
        : roll < 0.45
          ? "pending"
          : "failing";
    const sev: z.infer<typeof severity> =
      i === 0 || name.startsWith("Payment") ? "critical" : i < 3 ? "high" : "medium";
    const env: z.infer<typeof environment> = i === names.length - 1 ? "production" : "staging";
    return { name, status, severity: sev, environment: env };
  });
  const decision = decideReview(quality, integrations);
  const troubled = integrations.filter((i) => i.status !== "passing");
  return {
    integrations,
    reviewDecision: {
      decision,
      rationale:
        decision === "approve"
          ? `Quality passed and all ${integrations.length} integrations pass in staging and production.`
          : decision === "reject"
            ? `The build is not sound: quality decision ${quality ?? "missing"}${troubled.some((t) => t.status === "failing" && t.severity === "critical") ? ", and a critical integration fails" : ""}.`
            : `Sound with reservations: quality decision ${quality ?? "missing"}, ${troubled.length} integration(s) not passing.`,
      conditions:
        decision === "conditional"
          ? troubled.length
            ? troubled.map((t) => `${t.name} passing in ${t.environment} before launch`)
            : ["Open high-severity defects resolved before launch"]
          : [],
    },
  };
}

export const stage21: StageDefinition<BuildReviewAnalysis, BuildReviewDerived> = {
  number: 21,
  name: "Build Review",
  phase: 5,
  gateType: "review",
  consumes: [20],
  produces: ["build_review"],
  analysisSchema,
  artifactSchema: analysisSchema,
  computeDerived: () => ({}),
  prompt: (ctx) =>
    stagePrompt(ctx, {
      role: "a principal engineer conducting the technical build review",
      task: [
        `Review ${ctx.runNumber}: assess whether the build is technically sound, from the Stage 20 quality decision, pass rate, coverage and defects and from the state of each integration.`,
        "List integrations (name, status passing|degraded|failing|pending, severity critical|high|medium|low, environment development|staging|production).",
        "Decide reviewDecision: approve|conditional|reject, with a rationale and conditions (required when conditional, else empty).",
      ].join("\n"),
      rules: ["This is the technical review only; the business release decision belongs to Stage 22."],
    }),
  simulate,
  qualityScore: (artifact) => {
    const n = artifact.integrations.length;
    const envs = new Set(artifact.integrations.map((i) => i.environment)).size;
    return Math.round(40 + Math.min(30, n * 6) + envs * 5 + (artifact.reviewDecision.rationale.length >= 30 ? 15 : 0));
  },
};
