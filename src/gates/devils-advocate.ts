// The Devil's Advocate (spec §7.5, §13): a separate, adversarial LLM call at
// the kill gates (3, 5, 13, 23) and promotion gates (16, 17, 22) that argues
// against the stage's case for moving the venture on — counter-arguments,
// risks, alternatives and a verdict — decoupled from the analysis it reviews.
// It goes through the Analyst interface with its own schema and prompt, and
// falls back gracefully: when the analyst fails, the review is skipped with
// the reason, never thrown, so a gate never waits on it.
import { z } from "zod";
import type { LlmUsage, Provenance, TokenAllowance } from "../llm/types.ts";
import { AnalysisFailed, type Analyst, TokenBudgetExceeded } from "../llm/types.ts";
import { severity } from "../stages/enums.ts";
import type { Prompt, Rng, VentureBrief } from "../stages/types.ts";
import { arr, num, rec, str, strs } from "./drift.ts";
import type { GateDecision, GateEvaluation } from "./types.ts";

/** The gates the Devil's Advocate reviews: kill gates 3, 5, 13, 23 and promotion gates 16, 17, 22. */
export const DEVILS_ADVOCATE_STAGES = [3, 5, 13, 16, 17, 22, 23] as const;
export type DevilsAdvocateStage = (typeof DEVILS_ADVOCATE_STAGES)[number];

export function isDevilsAdvocateStage(stage: number): stage is DevilsAdvocateStage {
  return (DEVILS_ADVOCATE_STAGES as readonly number[]).includes(stage);
}

const GATE_NAMES: Record<DevilsAdvocateStage, string> = {
  3: "Individual Validation (kill gate)",
  5: "Profitability (kill gate)",
  13: "Product Roadmap (kill gate)",
  16: "Financial Projections (promotion gate)",
  17: "Build Readiness (readiness gate)",
  22: "Release Readiness (promotion gate)",
  23: "Launch Execution (kill gate)",
};

export const devilsAdvocateReviewSchema = z.object({
  /** The strongest arguments against the artifact's conclusions, each grounded in it. */
  counterArguments: z.array(z.string().min(1)).min(1),
  risks: z.array(z.object({ risk: z.string().min(1), severity })).min(1),
  /** What the venture could do instead of what the stage proposes. */
  alternatives: z.array(z.string().min(1)),
  /** challenge: the case for moving on does not survive the review; concur: it does. */
  verdict: z.enum(["concur", "challenge"]),
  summary: z.string().min(1),
});
export type DevilsAdvocateReview = z.infer<typeof devilsAdvocateReviewSchema>;

export const DEVILS_ADVOCATE_SCHEMA_NAME = "devils_advocate_review";

export interface DevilsAdvocateInput {
  stage: number;
  venture: VentureBrief;
  /** The stage's new primary artifact. */
  artifact: Record<string, unknown>;
  /** The gate's evaluation of it, when it has been evaluated. */
  gate: GateEvaluation | null;
  signal?: AbortSignal;
  /** What the review may spend (the stage's budget after its analysis). */
  budget?: TokenAllowance;
}

export type DevilsAdvocateOutcome =
  | {
      status: "reviewed";
      review: DevilsAdvocateReview;
      usage: LlmUsage;
      provenance: Provenance;
      epistemic: "simulation" | "assumption";
    }
  /**
   * `usage` is what failed attempts cost, to be charged like any other call; `callFailed`: the model
   * call itself failed (transport, timeout, 5xx: a circuit breaker failure), not its answer.
   */
  | { status: "skipped"; reason: string; usage?: LlmUsage; callFailed?: boolean };

export async function reviewAsDevilsAdvocate(
  analyst: Analyst,
  input: DevilsAdvocateInput,
): Promise<DevilsAdvocateOutcome> {
  if (!isDevilsAdvocateStage(input.stage)) {
    return { status: "skipped", reason: `Stage ${input.stage} has no Devil's Advocate gate` };
  }
  try {
    const result = await analyst.analyze({
      schemaName: DEVILS_ADVOCATE_SCHEMA_NAME,
      schema: devilsAdvocateReviewSchema,
      prompt: devilsAdvocatePrompt(input),
      simulate: (rng) => simulateDevilsAdvocate(input, rng),
      ...(input.signal ? { signal: input.signal } : {}),
      ...(input.budget ? { budget: input.budget } : {}),
    });
    return {
      status: "reviewed",
      review: result.output,
      usage: result.usage,
      provenance: result.provenance,
      epistemic: result.epistemic,
    };
  } catch (error) {
    if (error instanceof AnalysisFailed) {
      return {
        status: "skipped",
        reason: `the ${analyst.kind} analyst failed after ${error.attempts} attempt(s): ${error.message}`,
        usage: error.usage,
        ...(error.retryable && !(error instanceof TokenBudgetExceeded) ? { callFailed: true } : {}),
      };
    }
    // Graceful fallback (spec §13): whatever went wrong, the gate goes on without the review.
    const message = error instanceof Error ? error.message : String(error);
    return { status: "skipped", reason: `the ${analyst.kind} analyst could not review: ${message}` };
  }
}

// ——— The prompt ———

const MAX_ARTIFACT_CHARS = 20_000;

function gateLines(label: string, d: GateDecision | null | undefined): string[] {
  if (!d) return [];
  const failed = d.checks.filter((c) => !c.passed);
  return [`${label}: ${d.decision} — ${d.rationale}`, ...failed.map((c) => `- failed check ${c.name}: ${c.detail}`)];
}

export function devilsAdvocatePrompt(input: DevilsAdvocateInput): Prompt {
  const v = input.venture;
  const name = isDevilsAdvocateStage(input.stage) ? GATE_NAMES[input.stage] : `Stage ${input.stage}`;
  const json = JSON.stringify(input.artifact);
  const artifact = json.length > MAX_ARTIFACT_CHARS ? `${json.slice(0, MAX_ARTIFACT_CHARS)} …(truncated)` : json;
  const gate = [...gateLines("Gate decision", input.gate?.gate), ...gateLines("Reality gate", input.gate?.reality)];
  const system = [
    "You are EVA's Devil's Advocate: an adversarial reviewer, independent of the analyst that produced this stage's artifact and of the gate that judged it.",
    "Your job is to argue against the case for moving this venture forward, as hard as the evidence allows.",
    "Answer with one JSON object matching the given schema, nothing else.",
    "Do not invent evidence: ground every point in the artifact or the venture brief, and call an assumption an assumption.",
  ].join(" ");
  const user = [
    `## Venture: ${v.name} (${v.archetype})`,
    `Description: ${v.description}`,
    `Problem: ${v.problemStatement}`,
    `Value proposition: ${v.valueProp}`,
    `Target market: ${v.targetMarket}`,
    v.keyAssumptions.length ? `Key assumptions:\n${v.keyAssumptions.map((a) => `- ${a}`).join("\n")}` : "",
    v.moatStrategy ? `Moat strategy: ${v.moatStrategy}` : "Moat strategy: none stated",
    `## Stage ${input.stage} — ${name}`,
    gate.length ? gate.join("\n") : "Gate decision: not yet evaluated",
    `## The stage's artifact\n${artifact}`,
    [
      "## Task",
      "Review the artifact and the gate decision as the Devil's Advocate.",
      "- counterArguments: the strongest arguments against the artifact's conclusions and against proceeding, most damaging first; cite the numbers or statements you rely on.",
      "- risks: what could go wrong that the artifact underplays, each with severity critical, high, medium or low.",
      "- alternatives: what the venture could do instead (narrow the scope, change the model, wait for evidence, stop).",
      "- verdict: challenge when the case for moving on does not survive your review, concur when it does despite your objections.",
      "- summary: two or three sentences for the Chairman.",
      "A passing gate is not a reason to concur, and a failing one not a reason to challenge: judge the case itself.",
    ].join("\n"),
  ]
    .filter(Boolean)
    .join("\n\n");
  return { system, user };
}

// ——— The offline analyst's review ———

const PASSING = new Set(["pass", "release", "go", "approve", "complete", "continue"]);
const CONDITIONAL = new Set(["conditional", "conditional_go", "conditional_pass", "revise", "hold"]);

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** 0 for a passing decision, 1 for a stopping one. */
function decisionWeakness(decision: string | null): number | null {
  if (decision === null) return null;
  if (PASSING.has(decision)) return 0.1;
  if (CONDITIONAL.has(decision)) return 0.55;
  return 0.9;
}

interface Case {
  /** 0-1: how weak the artifact's case is, from its own numbers. */
  weakness: number | null;
  /** Facts from the artifact to argue from. */
  points: string[];
  alternatives: string[];
}

/** What the artifact itself says about its weakness, stage by stage. */
function stageCase(stage: number, a: Record<string, unknown>): Case {
  switch (stage) {
    case 3: {
      const overall = num(a.overallScore);
      const metrics = Object.entries(rec(a.metrics)).flatMap(([k, x]) =>
        num(x) === null ? [] : [[k, x as number] as const],
      );
      const weakest = [...metrics].sort((x, y) => x[1] - y[1])[0];
      const conf = Object.values(rec(a.confidenceScores)).flatMap((x) => (num(x) === null ? [] : [x as number]));
      const avgConf = conf.length ? conf.reduce((s, x) => s + x, 0) / conf.length : null;
      return {
        weakness: overall === null ? null : clamp01(1 - overall / 100 + (weakest && weakest[1] < 50 ? 0.2 : 0)),
        points: [
          ...(overall !== null
            ? [`The overall score of ${overall} is a weighted average that hides the weakest metric.`]
            : []),
          ...(weakest ? [`${weakest[0]} scored only ${weakest[1]}/100; the venture is as strong as this link.`] : []),
          ...(avgConf !== null && avgConf < 0.6
            ? [
                `Average confidence in the scores is ${Math.round(avgConf * 100)}%: they are estimates, not measurements.`,
              ]
            : []),
        ],
        alternatives: [
          "Run five customer interviews before spending on Stage 4 onwards.",
          "Narrow the target market to the segment with the sharpest pain.",
        ],
      };
    }
    case 5: {
      const p = rec(a.projections);
      const ue = rec(a.unitEconomics);
      const roi = num(p.roi3y);
      const be = num(p.breakEvenMonth);
      const ratio = num(ue.ltvCacRatio);
      const payback = num(ue.paybackMonths);
      const robustness = str(rec(a.scenarioAnalysis).robustness);
      const flags = [
        roi !== null && roi < 0.25,
        be === null || be > 24,
        ratio !== null && ratio < 3,
        payback !== null && payback > 18,
        robustness === "fragile",
      ];
      return {
        weakness: flags.filter(Boolean).length / flags.length,
        points: [
          ...(roi !== null
            ? [`The 3-year ROI of ${roi} depends on growth assumptions no customer has confirmed.`]
            : []),
          be === null
            ? "The model never breaks even within the horizon."
            : `Break-even at month ${be} assumes costs stay on plan while revenue ramps.`,
          ...(ratio !== null ? [`LTV:CAC of ${ratio} leaves little room if churn or CAC is worse than assumed.`] : []),
          ...strs(rec(a.assumptions).notes)
            .slice(0, 2)
            .map((n) => `Assumption behind the model: ${n}`),
        ],
        alternatives: [
          "Test the price with paying pilots before accepting the projections.",
          "Cut the year-1 cost base and re-run the model.",
        ],
      };
    }
    case 13: {
      const milestones = arr(a.milestones).map(rec);
      const now = milestones.filter((m) => m.priority === "now");
      const empty = now.filter((m) => !arr(m.deliverables).length || !arr(m.outcomes).length);
      const flags = [now.length === 0, empty.length > 0, milestones.some((m) => !arr(m.outcomes).length)];
      return {
        weakness: flags.filter(Boolean).length / flags.length,
        points: [
          ...now.map(
            (m) =>
              `The "now" milestone "${str(m.title) ?? "?"}" is due ${str(m.targetDate) ?? "on no date"} with ${arr(m.deliverables).length} deliverable(s) and ${arr(m.outcomes).length} measurable outcome(s).`,
          ),
          ...(now.length === 0 ? ['No milestone is marked "now": nothing is ready to build.'] : []),
          `${milestones.length} milestones are planned without evidence that the first one will be adopted.`,
        ],
        alternatives: ["Cut the first milestone to the one deliverable that proves the value proposition."],
      };
    }
    case 16: {
      const warnings = arr(a.viabilityWarnings).map(rec);
      const cash = num(a.cashBalanceEnd);
      const ebitda = num(rec(a.pnl).ebitda);
      return {
        weakness: clamp01(
          warnings.length * 0.25 + (cash !== null && cash < 0 ? 0.4 : 0) + (ebitda !== null && ebitda < 0 ? 0.15 : 0),
        ),
        points: [
          ...(cash !== null ? [`The plan ends with a cash balance of ${cash}; one slipped phase consumes it.`] : []),
          ...(ebitda !== null ? [`EBITDA over the plan is ${ebitda}.`] : []),
          ...warnings.map((w) => `Viability warning: ${str(w.message) ?? str(w.kind) ?? "unspecified"}.`),
        ],
        alternatives: ["Fund only the first phase and decide the rest on its results."],
      };
    }
    case 17: {
      const readiness = rec(a.buildReadiness);
      const blockers = arr(a.blockers).map(rec);
      const base = decisionWeakness(str(readiness.decision));
      return {
        weakness: base === null ? null : clamp01(base + blockers.length * 0.05),
        points: [
          ...blockers.map((b) => `Blocker (${str(b.severity) ?? "?"}): ${str(b.description) ?? "unspecified"}.`),
          ...strs(readiness.conditions).map((c) => `Condition still open: ${c}.`),
          ...(blockers.length === 0
            ? ["Readiness is self-assessed: nothing has been built against this plan yet."]
            : []),
        ],
        alternatives: ["Start with a one-week spike on the riskiest deliverable before committing the sprint."],
      };
    }
    case 22: {
      const decision = rec(a.releaseDecision);
      const summary = rec(a.sprintSummary);
      const quality = rec(summary.qualityAssessment);
      const integration = rec(summary.integrationStatus);
      const open = num(quality.openDefects) ?? 0;
      const failing = num(integration.failing) ?? 0;
      const base = decisionWeakness(str(decision.decision));
      return {
        weakness: base === null ? null : clamp01(base + open * 0.05 + failing * 0.1),
        points: [
          ...(num(quality.overallPassRate) !== null
            ? [`Pass rate ${quality.overallPassRate}% with ${open} open defect(s) going into release.`]
            : []),
          ...(failing ? [`${failing} integration(s) failing.`] : []),
          `${num(summary.itemsCompleted) ?? "?"} of ${num(summary.itemsPlanned) ?? "?"} planned items completed.`,
        ],
        alternatives: ["Release to a closed beta first.", "Hold one sprint to close the open defects."],
      };
    }
    case 23: {
      const tasks = arr(a.launchTasks).map(rec);
      const blocked = tasks.filter((t) => t.status === "blocked");
      const undone = tasks.filter((t) => t.status !== "done");
      const go = str(a.goDecision);
      return {
        weakness: clamp01((go === "go" ? 0.1 : 0.8) + blocked.length * 0.15 + undone.length * 0.03),
        points: [
          ...blocked.map((t) => `Launch task "${str(t.name) ?? "?"}" is blocked.`),
          `${undone.length} of ${tasks.length} launch tasks are not done for a ${str(a.launchType) ?? "launch"} on ${str(a.plannedLaunchDate) ?? "an unset date"}.`,
          ...(arr(a.successCriteria).length
            ? [`Success is judged on ${arr(a.successCriteria).length} criteria no user has yet been measured against.`]
            : []),
        ],
        alternatives: ["Launch as a soft launch to the first tier only.", "Delay until every launch task is done."],
      };
    }
    default:
      return { weakness: null, points: [], alternatives: [] };
  }
}

/** Deterministic given the input and the generator: weak artifacts draw more, harsher objections and a challenge. */
export function simulateDevilsAdvocate(input: DevilsAdvocateInput, rng: Rng): DevilsAdvocateReview {
  const { venture: v, stage } = input;
  const c = stageCase(stage, input.artifact);
  const gate = input.gate?.gate ?? null;
  const gateW = decisionWeakness(gate?.decision ?? null);
  const failedChecks = gate ? gate.checks.filter((x) => !x.passed) : [];
  const checkShare = gate?.checks.length ? failedChecks.length / gate.checks.length : 0;
  const parts = [gateW, c.weakness].filter((x): x is number => x !== null);
  const weakness = clamp01((parts.length ? parts.reduce((s, x) => s + x, 0) / parts.length : 0.4) + 0.15 * checkShare);
  const verdict = weakness + rng.float(-0.08, 0.08) >= 0.45 ? "challenge" : "concur";

  // Most damaging first: the gate's own failed checks, then the artifact's numbers, then the brief.
  const pool = [
    ...failedChecks.map((x) => `The gate's own check "${x.name}" failed: ${x.detail}.`),
    ...c.points,
    ...v.keyAssumptions.map((x) => `The case still rests on an untested assumption: "${x}".`),
    v.moatStrategy
      ? `The moat ("${v.moatStrategy}") is a plan, not yet an asset.`
      : "No moat is stated: a competitor can copy whatever works.",
  ];
  const unique = [...new Set(pool)];
  const count = Math.min(unique.length, 1 + Math.round(weakness * 3));
  const counterArguments = unique.slice(0, Math.max(1, count));
  if (!counterArguments.length)
    counterArguments.push("The artifact offers no evidence beyond the analyst's own estimates.");

  const sev = (): DevilsAdvocateReview["risks"][number]["severity"] =>
    weakness >= 0.7
      ? rng.pick(["critical", "high"] as const)
      : weakness >= 0.45
        ? rng.pick(["high", "medium"] as const)
        : rng.pick(["medium", "low"] as const);
  const riskTexts = [
    `${v.targetMarket} adopts more slowly than Stage ${stage} assumes.`,
    `Costs run ahead of plan before ${v.name} has paying customers.`,
    `A competitor answers ${v.name}'s value proposition before it has traction.`,
    `The team spends the next phase building what "${v.valueProp}" promises without proof anyone pays for it.`,
  ];
  const risks = rng.sample(riskTexts, 1 + Math.round(weakness * 2)).map((risk) => ({ risk, severity: sev() }));

  const alternatives = c.alternatives.slice(0, verdict === "challenge" ? 2 : 1);
  const summary =
    verdict === "challenge"
      ? `The Stage ${stage} case for ${v.name} does not survive scrutiny: ${counterArguments[0]} The Chairman should weigh ${alternatives.length ? `an alternative (${alternatives[0]})` : "stopping here"} before proceeding.`
      : `The Stage ${stage} case for ${v.name} holds, with reservations: ${counterArguments[0]}`;
  return { counterArguments, risks, alternatives, verdict, summary };
}
