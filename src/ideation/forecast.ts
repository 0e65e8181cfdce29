// Stage 0's financial forecast (spec §16 modeling): market sizing, three
// years of revenue in three scenarios, unit economics, growth, break-even —
// asked of the analyst — and the venture score, COMPUTED here from those
// numbers (never the model's own score):
//
//   venture score = 35 % revenue + 30 % LTV:CAC + 20 % break-even speed + 15 % forecast confidence
//
// Each part is normalised to 0-100:
//   revenue            year-3 realistic revenue on a log scale: $10k → 0, $100k → 33.3, $1M → 66.7, ≥ $10M → 100
//   LTV:CAC            realistic ratio, linear: ≤ 1 → 0, 3 → 50, ≥ 5 → 100
//   break-even speed   realistic months, linear: ≤ 6 → 100, ≥ 48 → 0; never (null) → 0
//   confidence         how narrow year-3's scenarios are: spread = (optimistic − pessimistic) / realistic,
//                      100 × (1 − spread / 2) clamped (no spread → 100, spread ≥ 2 → 0); scenarios out of
//                      order (pessimistic > realistic or realistic > optimistic) → 0
// Virality (the evaluation profile's ninth component) comes from growth: the
// 3 → 12 month user multiple on a log₂ scale, 20 points per doubling (1× → 0,
// 2× → 20, 8× → 60, ≥ 32× → 100); no users at either point → indeterminate (null).
import type { z } from "zod";
import type { Rng } from "../stages/types.ts";
import { type Forecast, forecastSchema, type PathOutput } from "./contract.ts";
import { ask, type StageZeroCallContext } from "./synthesis/call.ts";

export const modelForecastSchema = forecastSchema.omit({ ventureScore: true });
export type ModelForecast = z.infer<typeof modelForecastSchema>;

export const VENTURE_SCORE_WEIGHTS = {
  revenue: 0.35,
  ltvToCac: 0.3,
  breakEvenSpeed: 0.2,
  forecastConfidence: 0.15,
} as const;

const clamp = (x: number) => Math.min(100, Math.max(0, x));
const r2 = (x: number) => Math.round(x * 100) / 100;

export function revenueScore(year3RealisticUsd: number): number {
  if (!(year3RealisticUsd > 0)) return 0;
  return r2(clamp((100 * Math.log10(year3RealisticUsd / 10_000)) / 3));
}

export function ltvToCacScore(ratio: number): number {
  return r2(clamp(((ratio - 1) / 4) * 100));
}

export function breakEvenSpeedScore(months: number | null): number {
  if (months === null || !Number.isFinite(months)) return 0;
  return r2(clamp(((48 - months) / (48 - 6)) * 100));
}

export function forecastConfidenceScore(year3: { optimistic: number; realistic: number; pessimistic: number }): number {
  const { optimistic, realistic, pessimistic } = year3;
  if (pessimistic > realistic || realistic > optimistic || realistic <= 0) return 0;
  const spread = (optimistic - pessimistic) / realistic;
  return r2(clamp(100 * (1 - spread / 2)));
}

export function viralityScore(growth: { usersMonth3: number; usersMonth12: number }): number | null {
  if (growth.usersMonth3 <= 0 && growth.usersMonth12 <= 0) return null;
  const multiple = growth.usersMonth12 / Math.max(growth.usersMonth3, 1);
  if (multiple <= 1) return 0;
  return r2(clamp(Math.log2(multiple) * 20));
}

/** The venture score of a forecast: the formula above, deterministic. */
export function computeVentureScore(f: ModelForecast): Forecast["ventureScore"] {
  const parts = {
    revenue: revenueScore(f.revenue.year3.realistic),
    ltvToCac: ltvToCacScore(f.unitEconomics.ltvToCac.realistic),
    breakEvenSpeed: breakEvenSpeedScore(f.breakEven.months.realistic),
    forecastConfidence: forecastConfidenceScore(f.revenue.year3),
  };
  const w = VENTURE_SCORE_WEIGHTS;
  const score = Math.round(
    w.revenue * parts.revenue +
      w.ltvToCac * parts.ltvToCac +
      w.breakEvenSpeed * parts.breakEvenSpeed +
      w.forecastConfidence * parts.forecastConfidence,
  );
  return { score, parts, basis: "computed" };
}

const describe = (p: PathOutput) =>
  [
    `Venture: ${p.name}`,
    `Problem: ${p.problemStatement}`,
    `Solution: ${p.solution}`,
    `Target market: ${p.targetMarket}`,
    ...p.notes.map((n) => `Note: ${n}`),
  ].join("\n");

/** The offline analyst's forecast: scenarios in order, sized from a seeded generator. */
export function simulateForecast(rng: Rng): ModelForecast {
  const year1 = rng.int(3, 60) * 10_000;
  const g2 = rng.float(1.4, 3.2);
  const g3 = rng.float(1.3, 2.6);
  const realistic = [year1, Math.round(year1 * g2), Math.round(year1 * g2 * g3)] as const;
  const band = rng.float(0.2, 0.8);
  const sc = (x: number) => ({
    optimistic: Math.round(x * (1 + band)),
    realistic: x,
    pessimistic: Math.round(x * (1 - band * 0.8)),
  });
  const cac = rng.int(40, 600);
  const ratio = rng.float(0.8, 6);
  const ltv = Math.round(cac * ratio);
  const som = realistic[2] * rng.int(3, 8);
  const users3 = rng.int(20, 400);
  const users12 = Math.round(users3 * rng.float(1.2, 30));
  const months = rng.chance(0.15) ? null : rng.int(6, 54);
  return {
    marketSizing: {
      tamUsd: som * rng.int(40, 200),
      samUsd: som * rng.int(5, 30),
      somUsd: som,
      rationale: "Simulated by the offline analyst from a seeded generator: not market research.",
    },
    revenue: { year1: sc(realistic[0]), year2: sc(realistic[1]), year3: sc(realistic[2]) },
    unitEconomics: {
      cacUsd: { optimistic: Math.round(cac * 0.7), realistic: cac, pessimistic: Math.round(cac * 1.5) },
      ltvUsd: { optimistic: Math.round(ltv * 1.3), realistic: ltv, pessimistic: Math.round(ltv * 0.6) },
      ltvToCac: { optimistic: r2(ratio * 1.8), realistic: ratio, pessimistic: r2(ratio * 0.4) },
      paybackMonths: { optimistic: rng.int(2, 6), realistic: rng.int(6, 14), pessimistic: rng.int(14, 30) },
    },
    growth: {
      usersMonth3: users3,
      usersMonth6: Math.round((users3 + users12) / 3),
      usersMonth12: users12,
      model: rng.pick(["linear", "exponential", "s_curve", "step"] as const),
    },
    breakEven: {
      months: {
        optimistic: months === null ? rng.int(30, 60) : Math.max(3, months - rng.int(2, 8)),
        realistic: months,
        pessimistic: months === null ? null : months + rng.int(6, 18),
      },
      burnAtLaunchUsd: rng.int(5, 40) * 1000,
      burnAtScaleUsd: rng.int(20, 150) * 1000,
    },
  };
}

export async function forecastVenture(ctx: StageZeroCallContext, path: PathOutput, concurrent = 1): Promise<Forecast> {
  const output = await ask(ctx, {
    purpose: "forecast",
    schemaName: "stage_00_forecast",
    schema: modelForecastSchema,
    concurrent,
    prompt: {
      system:
        "You are EVA's Stage 0 financial modeler. Give a horizontal forecast for a venture idea as one JSON object " +
        "matching the schema. Every figure is an estimate: give optimistic ≥ realistic ≥ pessimistic for revenue. " +
        "Do not score the venture; EVA computes the score from your numbers.",
      user: [
        describe(path),
        "Produce: marketSizing (TAM/SAM/SOM in USD with a rationale), revenue for years 1-3 (optimistic, realistic, pessimistic USD),",
        "unitEconomics (CAC, LTV, LTV:CAC, payback months per scenario), growth (users at months 3, 6, 12 and the growth model),",
        "breakEven (months per scenario, null if never within the horizon; burn at launch and at scale).",
      ].join("\n"),
    },
    simulate: simulateForecast,
  });
  return { ...output, ventureScore: computeVentureScore(output) };
}
