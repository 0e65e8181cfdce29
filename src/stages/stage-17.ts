// Stage 17 — Build Readiness (spec §8.5): is the blueprint (roadmap,
// architecture, risk register, financial projections) ready to build? Readiness
// items, blockers and the go / conditional_go / no_go decision, whose
// conditions are required when it is conditional. Stage 18 plans a sprint only
// after a go or a conditional go. Nothing here is derived.
import { z } from "zod";
import { severity } from "./enums.ts";
import { stagePrompt } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { asArray, asNumber, asRecord, asString } from "./stage-10.ts";
import type { Rng, StageContext, StageDefinition } from "./types.ts";

export const readinessStatus = z.enum(["ready", "partial", "not_ready"]);
export const buildDecision = z.enum(["go", "conditional_go", "no_go"]);

const analysisObject = z.object({
  readinessItems: z
    .array(
      z.object({
        name: z.string().min(1),
        description: z.string().min(1),
        status: readinessStatus,
        priority: severity,
      }),
    )
    .min(1),
  blockers: z.array(z.object({ description: z.string().min(1), owner: z.string().min(1), severity })),
  buildReadiness: z.object({
    decision: buildDecision,
    rationale: z.string().min(1),
    /** What must hold for a conditional go; required (non-empty) when the decision is conditional_go. */
    conditions: z.array(z.string().min(1)),
  }),
});

type ReadinessShape = z.infer<typeof analysisObject>;

function readinessRules(a: ReadinessShape, ctx: z.RefinementCtx) {
  if (a.buildReadiness.decision === "conditional_go" && a.buildReadiness.conditions.length === 0) {
    ctx.addIssue({
      code: "custom",
      path: ["buildReadiness", "conditions"],
      message: "a conditional_go needs at least one condition",
    });
  }
}

const analysisSchema = analysisObject.superRefine(readinessRules);
export type ReadinessAnalysis = z.infer<typeof analysisSchema>;
export type ReadinessDerived = Record<never, never>;

// ---------------------------------------------------------------------------
// The offline analyst: it checks the blueprint artifacts item by item and
// decides the way a careful lead would — a critical item not ready stops the
// build, anything short of ready turns a go into a conditional go.

type Item = ReadinessAnalysis["readinessItems"][number];
type Status = z.infer<typeof readinessStatus>;

interface Check extends Item {
  owner: string;
  /** What would make it ready; becomes a condition or a blocker. */
  fix: string;
}

export function assessBlueprint(ctx: StageContext, teamReadiness: number): Check[] {
  const roadmap = asRecord(ctx.artifacts.product_roadmap?.content);
  const architecture = asRecord(ctx.artifacts.technical_architecture?.content);
  const register = asRecord(ctx.artifacts.risk_register?.content);
  const projections = asRecord(ctx.artifacts.financial_projections?.content);

  const now = asArray(roadmap.milestones)
    .map(asRecord)
    .filter((m) => m.priority === "now");
  const nowDeliverables = now.reduce((s, m) => s + asArray(m.deliverables).length, 0);
  const nowOutcomes = now.reduce((s, m) => s + asArray(m.outcomes).length, 0);
  const scope: Status =
    nowDeliverables > 0 && nowOutcomes > 0 ? "ready" : nowDeliverables > 0 ? "partial" : "not_ready";

  const layers = new Set(asArray(architecture.layers).map((l) => asString(asRecord(l).name, ""))).size;
  const arch: Status = layers >= 5 ? "ready" : layers >= 3 ? "partial" : "not_ready";

  const security = asRecord(architecture.security);
  const compliance = asArray(security.complianceRequirements).length;
  const secured: Status = !asString(security.authStrategy, "")
    ? "not_ready"
    : compliance > 2 && teamReadiness < 0.5
      ? "partial"
      : "ready";

  const risks = asArray(register.risks).map(asRecord);
  const critical = risks.filter((r) => r.severity === "critical").length;
  const coherence = asString(asRecord(register.budgetCoherence).status, "unverified");
  const riskStatus: Status =
    coherence === "unfunded" || critical >= 2
      ? "not_ready"
      : critical === 1 || coherence === "over_budget"
        ? "partial"
        : "ready";

  const warnings = asArray(projections.viabilityWarnings).map(asRecord);
  const cashEnd = asNumber(projections.cashBalanceEnd, 0);
  // Cash running out stops the build; a thin runway or burn and margin off plan is a condition.
  const cashOut = cashEnd < 0 || warnings.some((w) => w.kind === "runway" && asNumber(w.value, 0) <= 0);
  const funding: Status = cashOut ? "not_ready" : warnings.length > 0 ? "partial" : "ready";

  const team: Status = teamReadiness >= 0.55 ? "ready" : teamReadiness >= 0.3 ? "partial" : "not_ready";

  return [
    {
      name: "Now scope defined",
      description: `${now.length} now milestone(s), ${nowDeliverables} deliverables, ${nowOutcomes} outcomes (Stage 13)`,
      status: scope,
      priority: "critical",
      owner: "Product lead",
      fix: "Define the now milestone's deliverables and measurable outcomes",
    },
    {
      name: "Architecture baselined",
      description: `${layers} of 5 core layers described (Stage 14)`,
      status: arch,
      priority: "high",
      owner: "CTO",
      fix: "Describe every core layer and its technologies",
    },
    {
      name: "Security and compliance plan",
      description: `${asString(security.authStrategy, "no auth strategy")}; ${compliance} compliance requirement(s)`,
      status: secured,
      priority: "high",
      owner: "Compliance lead",
      fix: "Assign owners and dates to every compliance requirement before the first release",
    },
    {
      name: "Critical risks covered",
      description: `${critical} critical risk(s); mitigation budget ${coherence} (Stage 15)`,
      status: riskStatus,
      priority: "critical",
      owner: "CEO",
      fix: "Fund the mitigation of every critical risk",
    },
    {
      name: "Funding runway",
      description: `Cash at the end of the plan ${cashEnd}; ${warnings.length} viability warning(s) (Stage 16)`,
      status: funding,
      priority: "critical",
      owner: "CEO (finance)",
      fix: cashOut
        ? "Raise or cut costs so cash covers the plan with three months to spare"
        : "Bring runway, burn and margin back to the Stage 5 plan",
    },
    {
      name: "Team and environments",
      description: "Engineers assigned, repositories, CI and staging available",
      status: team,
      priority: "medium",
      owner: "CTO",
      fix: "Staff the first sprint and set up CI and staging",
    },
  ];
}

export function decideReadiness(checks: readonly Check[]): ReadinessAnalysis["buildReadiness"] & {
  blockers: ReadinessAnalysis["blockers"];
} {
  const blockers = checks
    .filter((c) => c.status === "not_ready")
    .map((c) => ({ description: `${c.name}: ${c.fix}`, owner: c.owner, severity: c.priority }));
  const criticalBlocked = checks.filter((c) => c.status === "not_ready" && c.priority === "critical");
  const open = checks.filter((c) => c.status !== "ready");
  if (criticalBlocked.length) {
    return {
      decision: "no_go",
      rationale: `Not ready to build: ${criticalBlocked.map((c) => c.name.toLowerCase()).join(" and ")} ${criticalBlocked.length > 1 ? "are" : "is"} not ready.`,
      conditions: [],
      blockers,
    };
  }
  if (open.length) {
    return {
      decision: "conditional_go",
      rationale: `The blueprint holds, with ${open.length} item(s) to close during the first sprint.`,
      conditions: open.map((c) => c.fix),
      blockers,
    };
  }
  return {
    decision: "go",
    rationale: "Scope, architecture, risks, funding and team are all ready.",
    conditions: [],
    blockers,
  };
}

function simulate(ctx: StageContext, rng: Rng): ReadinessAnalysis {
  const p = ventureProfile(ctx.venture);
  const checks = assessBlueprint(ctx, p.strength * 0.8 + (1 - p.difficulty) * 0.2 + rng.float(-0.05, 0.05));
  const { blockers, ...buildReadiness } = decideReadiness(checks);
  return {
    readinessItems: checks.map(({ owner: _o, fix: _f, ...item }) => item),
    blockers,
    buildReadiness,
  };
}

export const stage17: StageDefinition<ReadinessAnalysis, ReadinessDerived> = {
  number: 17,
  name: "Build Readiness",
  phase: 5,
  gateType: "build_readiness",
  consumes: [13, 14, 15, 16],
  produces: ["build_readiness"],
  analysisSchema,
  artifactSchema: analysisObject.superRefine(readinessRules),
  computeDerived: () => ({}),
  prompt: (ctx) =>
    stagePrompt(ctx, {
      role: "an engineering lead deciding whether the venture is ready to start building",
      task: [
        "Assess readiness against the Stage 13 roadmap, Stage 14 architecture, Stage 15 risk register and Stage 16 financial projections.",
        "readinessItems: name, description, status (ready, partial or not_ready) and priority (critical, high, medium or low).",
        "blockers: description, owner, severity (critical, high, medium or low); empty when nothing blocks.",
        "buildReadiness: decision (go, conditional_go or no_go), rationale, and conditions — at least one when the decision is conditional_go, else empty.",
        "A critical item that is not ready means no_go; do not wave the Stage 16 viability warnings through.",
      ].join("\n"),
    }),
  simulate,
  qualityScore: (artifact) => {
    const items = Math.min(artifact.readinessItems.length, 6) * 6;
    const priorities = new Set(artifact.readinessItems.map((i) => i.priority)).size * 4;
    const consistent =
      artifact.buildReadiness.decision === "go"
        ? artifact.blockers.every((b) => b.severity !== "critical")
        : artifact.buildReadiness.decision === "conditional_go"
          ? artifact.buildReadiness.conditions.length > 0
          : artifact.blockers.length > 0;
    return Math.min(100, 30 + items + priorities + (consistent ? 20 : 0));
  },
};
