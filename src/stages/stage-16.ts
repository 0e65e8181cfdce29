// Stage 16 — Financial Projections, PROMOTION GATE (spec §8.4): costs and
// revenue per roadmap phase and the starting cash. Derived: the startup P&L,
// the cash balance at the end of the last phase, and viability warnings —
// runway under three months, burn above the Stage 5 plan, gross margin below
// Stage 5's. The promotion gate reads them.
import { z } from "zod";
import { pricingModel } from "./enums.ts";
import { stagePrompt } from "./prompt.ts";
import { ventureProfile } from "./simulation.ts";
import { asArray, asFraction, asNumber, asRecord, asString, round2, yearSeries } from "./stage-10.ts";
import { addMonths, monthsBetween } from "./stage-13.ts";
import type { Rng, StageContext, StageDefinition } from "./types.ts";

/** Cash must cover at least this many months of the phase's burn. */
export const RUNWAY_MONTHS = 3;
/** Burn may exceed the Stage 5 plan by this share before it warns. */
export const BURN_TOLERANCE = 0.1;

const money = z.number().min(0);

const analysisSchema = z.object({
  phases: z
    .array(
      z.object({
        /** The Stage 13 roadmap phase: now, next or later. */
        phaseName: z.string().min(1),
        durationMonths: z.number().int().min(1).max(120),
        /** Totals over the phase. Infrastructure is the cost of delivering the product: the P&L counts it as COGS. */
        costs: z.object({ personnel: money, infrastructure: money, marketing: money, other: money }),
        /** Revenue over the phase under the Stage 7 pricing model. */
        revenue: z.object({ projected: money, pricingModel }),
      }),
    )
    .min(1),
  startingCash: money,
});
export type ProjectionsAnalysis = z.infer<typeof analysisSchema>;

export const warningKind = z.enum(["runway", "burn_above_plan", "margin_below_stage5"]);

const derivedSchema = z.object({
  /**
   * Startup-standard P&L over all phases: COGS = infrastructure, R&D = personnel, S&M = marketing,
   * G&A = other. No depreciation, interest or tax is modelled, so net income equals EBITDA.
   */
  pnl: z.object({
    revenue: money,
    cogs: money,
    grossProfit: z.number(),
    /** Gross profit / revenue (a fraction); null without revenue. */
    grossMargin: z.number().nullable(),
    opex: z.object({ rnd: money, sm: money, ga: money, total: money }),
    ebitda: z.number(),
    netIncome: z.number(),
  }),
  /** startingCash + Σ (revenue − costs) over the phases. */
  cashBalanceEnd: z.number(),
  viabilityWarnings: z.array(
    z.object({
      kind: warningKind,
      /** The phase that triggers it; null for the whole-plan margin check. */
      phaseName: z.string().nullable(),
      /** runway: months of runway left; burn_above_plan: monthly burn; margin_below_stage5: gross margin. */
      value: z.number(),
      /** The bound it breaks: 3 months, the planned monthly burn, Stage 5's gross margin. */
      threshold: z.number(),
      message: z.string(),
    }),
  ),
});
export type ProjectionsDerived = z.infer<typeof derivedSchema>;
type Warning = ProjectionsDerived["viabilityWarnings"][number];

/** What Stage 5 planned: yearly revenue and costs, and its gross margin (a fraction). */
export interface Stage5Plan {
  revenue: number[];
  costs: number[];
  grossMargin: number | undefined;
}

export function stage5Plan(ctx: StageContext): Stage5Plan {
  const finance = asRecord(ctx.artifacts.financial_model?.content);
  const projections = asRecord(finance.projections);
  return {
    revenue: yearSeries(projections.revenue),
    costs: yearSeries(projections.costs),
    grossMargin: asFraction(asRecord(finance.unitEconomics).grossMargin),
  };
}

/** Stage 5's planned average monthly net burn (costs − revenue) over `months` from month `start`; null without a cost plan. */
export function plannedMonthlyBurn(plan: Stage5Plan, start: number, months: number): number | null {
  if (!plan.costs.length || months <= 0) return null;
  const at = (series: number[], m: number) =>
    series.length ? (series[Math.min(Math.floor(m / 12), series.length - 1)] as number) : 0;
  let burn = 0;
  for (let m = start; m < start + months; m++) burn += (at(plan.costs, m) - at(plan.revenue, m)) / 12;
  return burn / months;
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;
const costOf = (c: ProjectionsAnalysis["phases"][number]["costs"]) =>
  c.personnel + c.infrastructure + c.marketing + c.other;

export function deriveProjections(analysis: ProjectionsAnalysis, plan: Stage5Plan): ProjectionsDerived {
  const sum = (f: (p: ProjectionsAnalysis["phases"][number]) => number) =>
    round2(analysis.phases.reduce((s, p) => s + f(p), 0));
  const revenue = sum((p) => p.revenue.projected);
  const cogs = sum((p) => p.costs.infrastructure);
  const opex = {
    rnd: sum((p) => p.costs.personnel),
    sm: sum((p) => p.costs.marketing),
    ga: sum((p) => p.costs.other),
    total: 0,
  };
  opex.total = round2(opex.rnd + opex.sm + opex.ga);
  const grossProfit = round2(revenue - cogs);
  const grossMargin = revenue > 0 ? round4(grossProfit / revenue) : null;
  const ebitda = round2(grossProfit - opex.total);

  const warnings: Warning[] = [];
  let cash = analysis.startingCash;
  let month = 0;
  for (const phase of analysis.phases) {
    const net = phase.revenue.projected - costOf(phase.costs);
    const burn = -net / phase.durationMonths;
    cash += net;
    if (cash < 0 || (burn > 0 && cash < RUNWAY_MONTHS * burn)) {
      const runway = cash <= 0 ? 0 : round2(cash / burn);
      warnings.push({
        kind: "runway",
        phaseName: phase.phaseName,
        value: runway,
        threshold: RUNWAY_MONTHS,
        message:
          cash < 0
            ? `Cash runs out during phase ${phase.phaseName} (balance ${round2(cash)}).`
            : `After phase ${phase.phaseName} cash covers ${runway} months of burn, under ${RUNWAY_MONTHS}.`,
      });
    }
    const planned = plannedMonthlyBurn(plan, month, phase.durationMonths);
    if (planned !== null && burn > 0 && burn > Math.max(planned, 0) * (1 + BURN_TOLERANCE)) {
      warnings.push({
        kind: "burn_above_plan",
        phaseName: phase.phaseName,
        value: round2(burn),
        threshold: round2(Math.max(planned, 0)),
        message: `Phase ${phase.phaseName} burns ${round2(burn)} a month; Stage 5 planned ${round2(Math.max(planned, 0))}.`,
      });
    }
    month += phase.durationMonths;
  }
  if (plan.grossMargin !== undefined && grossMargin !== null && grossMargin < round4(plan.grossMargin)) {
    warnings.push({
      kind: "margin_below_stage5",
      phaseName: null,
      value: grossMargin,
      threshold: round4(plan.grossMargin),
      message: `Gross margin ${(grossMargin * 100).toFixed(1)}% is below Stage 5's ${(plan.grossMargin * 100).toFixed(1)}%.`,
    });
  }
  return {
    pnl: { revenue, cogs, grossProfit, grossMargin, opex, ebitda, netIncome: ebitda },
    cashBalanceEnd: round2(
      analysis.startingCash + analysis.phases.reduce((s, p) => s + p.revenue.projected - costOf(p.costs), 0),
    ),
    viabilityWarnings: warnings,
  };
}

// ---------------------------------------------------------------------------
// The offline analyst.

/** The roadmap's phases (now, next, later: those it has) with their lengths in months. */
export function roadmapPhases(ctx: StageContext): { name: string; months: number }[] {
  const roadmap = asRecord(ctx.artifacts.product_roadmap?.content);
  const milestones = asArray(roadmap.milestones).map(asRecord);
  const isoDay = (x: unknown) => {
    const d = asString(x, "").slice(0, 10);
    return /^\d{4}-\d{2}-\d{2}$/.test(d) && !Number.isNaN(Date.parse(d)) ? d : "";
  };
  const dated = milestones.filter((m) => isoDay(m.targetDate));
  const firstDate = dated.map((m) => isoDay(m.targetDate)).sort()[0];
  let previous = isoDay(roadmap.roadmapStart) || (firstDate ? addMonths(firstDate, -3) : "");
  const phases: { name: string; months: number }[] = [];
  for (const name of ["now", "next", "later"]) {
    const ends = dated.filter((m) => m.priority === name).map((m) => isoDay(m.targetDate));
    if (!ends.length || !previous) continue;
    const end = ends.sort()[ends.length - 1] as string;
    const months = monthsBetween(previous, end);
    phases.push({ name, months: Number.isFinite(months) ? Math.min(120, Math.max(1, months)) : 6 });
    if (end > previous) previous = end;
  }
  return phases.length
    ? phases
    : [
        { name: "now", months: 6 },
        { name: "next", months: 9 },
        { name: "later", months: 12 },
      ];
}

interface Band {
  costFactor: number;
  revenueFactor: number;
  marginDelta: number;
  /** Months of the worst burn kept in the bank at the cash trough; negative: a share of the need left unfunded. */
  cushion: number;
}

function band(strength: number, rng: Rng): Band {
  if (strength >= 0.55)
    return {
      costFactor: rng.float(0.93, 1),
      revenueFactor: rng.float(1, 1.05),
      marginDelta: rng.float(0.01, 0.03),
      cushion: rng.float(6, 9),
    };
  if (strength >= 0.38)
    return {
      costFactor: rng.float(1.15, 1.3),
      revenueFactor: rng.float(0.85, 0.95),
      marginDelta: rng.float(-0.04, 0.01),
      cushion: rng.float(1, 2.5),
    };
  return {
    costFactor: rng.float(1.3, 1.5),
    revenueFactor: rng.float(0.6, 0.75),
    marginDelta: rng.float(-0.12, -0.06),
    cushion: -0.4,
  };
}

function simulate(ctx: StageContext, rng: Rng): ProjectionsAnalysis {
  const p = ventureProfile(ctx.venture);
  const plan = stage5Plan(ctx);
  const revenueSeries = plan.revenue.length
    ? plan.revenue
    : [100_000, 350_000, 800_000].map((r) => r * (0.5 + p.market));
  const costSeries = plan.costs.length ? plan.costs : [350_000, 550_000, 750_000];
  const margin = Math.min(0.95, Math.max(0.05, plan.grossMargin ?? 0.7));
  const b = band(p.strength, rng);
  const gm = Math.min(0.95, Math.max(0.05, margin + b.marginDelta));
  const pricing = pricingModel.safeParse(asRecord(ctx.artifacts.pricing_model?.content).pricingModel);
  const model = pricing.success ? pricing.data : "subscription";

  // Risk mitigation costs from Stage 15, booked in the phase each risk belongs to.
  const mitigation = new Map<string, number>();
  for (const r of asArray(asRecord(ctx.artifacts.risk_register?.content).risks).map(asRecord)) {
    const phase = asString(r.phaseRef, "now");
    mitigation.set(phase, (mitigation.get(phase) ?? 0) + Math.max(0, asNumber(r.mitigationCost, 0)));
  }

  const roadmap = roadmapPhases(ctx);
  const known = new Set(roadmap.map((ph) => ph.name));
  const unplaced = [...mitigation.entries()].filter(([k]) => !known.has(k)).reduce((s, [, v]) => s + v, 0);
  const at = (series: number[], m: number) => series[Math.min(Math.floor(m / 12), series.length - 1)] as number;
  let month = 0;
  const phases: ProjectionsAnalysis["phases"] = roadmap.map((ph, i) => {
    let revenue = 0;
    let total = 0;
    for (let m = month; m < month + ph.months; m++) {
      revenue += (at(revenueSeries, m) / 12) * b.revenueFactor;
      total += (at(costSeries, m) / 12) * b.costFactor;
    }
    month += ph.months;
    const infrastructure = revenue * (1 - gm);
    const rest = Math.max(total - infrastructure, total * 0.3);
    const marketing = rest * 0.25;
    // Mitigation comes out of the planned budget; only what the budget cannot absorb is added on top.
    const other = Math.max(rest * 0.1, (mitigation.get(ph.name) ?? 0) + (i === 0 ? unplaced : 0));
    const personnel = Math.max(rest - marketing - other, rest * 0.3);
    const r100 = (x: number) => Math.round(x / 100) * 100;
    return {
      phaseName: ph.name,
      durationMonths: ph.months,
      costs: {
        personnel: r100(personnel),
        infrastructure: r100(infrastructure),
        marketing: r100(marketing),
        other: r100(other),
      },
      revenue: { projected: r100(revenue), pricingModel: model },
    };
  });

  // Starting cash: the deepest point of the cash curve plus a cushion of months of the worst burn.
  let cum = 0;
  let trough = 0;
  let worstBurn = 0;
  for (const ph of phases) {
    const net = ph.revenue.projected - costOf(ph.costs);
    cum += net;
    trough = Math.min(trough, cum);
    worstBurn = Math.max(worstBurn, -net / ph.durationMonths);
  }
  const need = -trough;
  const cash = b.cushion >= 0 ? need + b.cushion * worstBurn : need * (1 + b.cushion);
  return { phases, startingCash: Math.max(50_000, Math.ceil(cash / 10_000) * 10_000) };
}

export const stage16: StageDefinition<ProjectionsAnalysis, ProjectionsDerived> = {
  number: 16,
  name: "Financial Projections",
  phase: 4,
  gateType: "promotion",
  consumes: [5, 7, 13, 14, 15],
  produces: ["financial_projections"],
  analysisSchema,
  artifactSchema: analysisSchema.extend(derivedSchema.shape),
  computeDerived: (analysis, ctx) => deriveProjections(analysis, stage5Plan(ctx)),
  prompt: (ctx) =>
    stagePrompt(ctx, {
      role: "a startup CFO turning the blueprint into phased financial projections",
      task: [
        "One phase per Stage 13 roadmap phase (phaseName: now, next or later), in order, each with durationMonths, costs over the phase (personnel, infrastructure — the cost of delivering the product, counted as COGS —, marketing, other, which includes the Stage 15 mitigation costs) and revenue (projected over the phase, pricingModel from Stage 7).",
        "startingCash: the cash available at the start of the first phase.",
        "Start from the Stage 5 projections and unit economics; where the blueprint costs more or earns later, show it.",
        "Do not compute the P&L, the cash balance or warnings: they are derived (runway under 3 months, burn above the Stage 5 plan, gross margin below Stage 5's), and the promotion gate reads them.",
      ].join("\n"),
    }),
  simulate,
  qualityScore: (artifact, ctx) => {
    const phases = Math.min(artifact.phases.length, 3) * 10;
    const plan = stage5Plan(ctx);
    const anchored = plan.costs.length && plan.revenue.length ? 20 : 0;
    const costed = artifact.phases.every((p) => costOf(p.costs) > 0) ? 10 : 0;
    const revenue = artifact.pnl.revenue > 0 ? 10 : 0;
    return Math.min(100, 30 + phases + anchored + costed + revenue);
  },
};
