// Evaluation profiles (spec §13, §16 "Gate thresholds per boundary"): the
// thresholds gates read, with the defaults documented here and Chairman
// preference keys that override them. The spec's own numbers (Stage 3's
// 70/50, Stage 5's bands, Stage 20's 95%/60%) are the defaults of their keys
// (a migration seeds them as global preferences), so a what-if
// (`eva gates replay --set`) or the Chairman can move them.

import { COVERAGE_THRESHOLD, PASS_RATE_THRESHOLD } from "../stages/stage-20.ts";

/** The stages whose end is a phase boundary with a reality gate (5→6, 9→10, 12→13, 16→17, 20→21). */
export const REALITY_BOUNDARIES = [5, 9, 12, 16, 20] as const;
export type RealityBoundary = (typeof REALITY_BOUNDARIES)[number];

export function isRealityBoundary(stage: number): stage is RealityBoundary {
  return (REALITY_BOUNDARIES as readonly number[]).includes(stage);
}

export interface RealityThresholds {
  /** An artifact of the phase scoring below this blocks the boundary (reality gate `fail`). */
  minQualityScore: number;
  /** At or above the minimum but below this, the boundary passes as `conditional`. */
  targetQualityScore: number;
}

export interface EvaluationProfile {
  /** "default", or "default + chairman preferences" when any preference applied. */
  name: string;
  reality: Record<RealityBoundary, RealityThresholds>;
  stage12: {
    /** Weighted pipeline / Stage 5 year-1 revenue at or above which the economy check passes. */
    minPipelineCoverage: number;
    /** Coverage at or above this (but under the minimum) passes as `conditional`; below it the check fails. */
    conditionalPipelineCoverage: number;
  };
  stage13: {
    /** Every "now" milestone is due within this many months of the roadmap start. */
    nowHorizonMonths: number;
    /** Every milestone is due within this many months of the roadmap start. */
    maxHorizonMonths: number;
  };
  stage16: {
    /** Gross margin may fall this far (a fraction: 0.02 = 2 points) below Stage 5's before it holds the promotion. */
    marginTolerance: number;
  };
  /** Stage 3 kill gate (§8.1): pass from `passOverall`, kill below `reviseOverall` or with any metric below `metricFloor`. */
  stage3: { passOverall: number; reviseOverall: number; metricFloor: number };
  /** Stage 5 kill gate (§8.1, banded): ROI as a fraction (0.25 = 25%), months, LTV:CAC ratios. */
  stage5: {
    passRoi: number;
    killRoi: number;
    maxBreakEvenMonth: number;
    passLtvCac: number;
    passPaybackMonths: number;
    bandLtvCac: number;
    bandPaybackMonths: number;
  };
  /** Stage 20 quality gate (§8.5): overall pass rate and coverage, percent. */
  stage20: { passRate: number; coverage: number };
  /** The preference keys (canonical spelling) that changed a default, with the value applied. */
  overrides: Record<string, number>;
  /** Preferences with a profile key whose value was unusable, and why; the default stayed. */
  rejected: { key: string; value: string; reason: string }[];
}

const realityDefault = (): RealityThresholds => ({ minQualityScore: 60, targetQualityScore: 70 });

/**
 * The default profile. Quality scores are the stage modules' 0-100 artifact
 * scores: 60 is the floor below which an artifact is too thin to build on,
 * 70 the level a complete, well-supported artifact reaches (the offline
 * analyst's artifacts score 62-100). A weighted pipeline covering Stage 5's
 * year-1 revenue (1.0×) supports it; half of it (0.5×) is a gap the next
 * phase can close; less does not support the model. The first sprints build
 * the "now" milestone, so it is due within 9 months; a roadmap reaches at
 * most 3 years. Gross margin may trail Stage 5's by 2 points (rounding and
 * infrastructure estimates) before the Stage 16 promotion holds. Stages 3,
 * 5 and 20 take the spec's own numbers (§8.1, §8.5).
 */
export const DEFAULT_PROFILE: EvaluationProfile = Object.freeze({
  name: "default",
  reality: {
    5: realityDefault(),
    9: realityDefault(),
    12: realityDefault(),
    16: realityDefault(),
    20: realityDefault(),
  },
  stage12: { minPipelineCoverage: 1, conditionalPipelineCoverage: 0.5 },
  stage13: { nowHorizonMonths: 9, maxHorizonMonths: 36 },
  stage16: { marginTolerance: 0.02 },
  stage3: { passOverall: 70, reviseOverall: 50, metricFloor: 50 },
  stage5: {
    passRoi: 0.25,
    killRoi: 0.15,
    maxBreakEvenMonth: 24,
    passLtvCac: 2,
    passPaybackMonths: 18,
    bandLtvCac: 3,
    bandPaybackMonths: 12,
  },
  stage20: { passRate: PASS_RATE_THRESHOLD, coverage: COVERAGE_THRESHOLD },
  overrides: {},
  rejected: [],
});

interface KeySpec {
  description: string;
  min: number;
  max: number;
  integer?: boolean;
  apply(profile: EvaluationProfile, value: number): void;
}

function realityKey(boundary: RealityBoundary | null, field: keyof RealityThresholds, what: string): KeySpec {
  return {
    description: `${what} ${boundary === null ? "at every reality gate" : `at the ${boundary}→${boundary + 1} reality gate (wins over the all-boundaries key)`}`,
    min: 0,
    max: 100,
    apply(profile, value) {
      for (const b of boundary === null ? REALITY_BOUNDARIES : [boundary]) profile.reality[b][field] = value;
    },
  };
}

type GateSection = "stage3" | "stage5" | "stage20";

/** `${prefix}_${name}` keys setting fields of one gate's section: name → [field, what, min, max, integer?]. */
function gateKeys<S extends GateSection>(
  section: S,
  gate: string,
  keys: Record<string, [keyof EvaluationProfile[S] & string, string, number, number, boolean?]>,
): Record<string, KeySpec> {
  return Object.fromEntries(
    Object.entries(keys).map(([name, [field, what, min, max, integer]]) => [
      `${section}_${name}`,
      {
        description: `${gate}: ${what}`,
        min,
        max,
        ...(integer ? { integer } : {}),
        apply: (p: EvaluationProfile, v: number) => {
          (p[section] as Record<string, number>)[field] = v;
        },
      },
    ]),
  );
}

/**
 * Every Chairman preference key a profile reads (canonical spelling: the
 * chairman_preferences key column allows [a-z0-9_] only, so a dot in a key
 * such as `reality.min_quality_score` is read as `_`). Keys are applied in
 * this order, so a per-boundary key wins over the all-boundaries one.
 */
export const PREFERENCE_KEYS: Record<string, KeySpec> = {
  reality_min_quality_score: realityKey(
    null,
    "minQualityScore",
    "Minimum quality score (0-100) of every artifact of the phase; below it the gate fails,",
  ),
  reality_target_quality_score: realityKey(
    null,
    "targetQualityScore",
    "Target quality score (0-100); an artifact between the minimum and this makes the gate conditional,",
  ),
  ...Object.fromEntries(
    REALITY_BOUNDARIES.flatMap((b) => [
      [
        `reality_stage${b}_min_quality_score`,
        realityKey(b, "minQualityScore", "Minimum quality score (0-100) of every artifact of the phase"),
      ],
      [
        `reality_stage${b}_target_quality_score`,
        realityKey(b, "targetQualityScore", "Target quality score (0-100) of every artifact of the phase"),
      ],
    ]),
  ),
  stage12_min_pipeline_coverage: {
    description:
      "Stage 12 economy check: weighted pipeline / Stage 5 year-1 revenue at or above which it passes (default 1.0)",
    min: 0,
    max: 100,
    apply: (p, v) => {
      p.stage12.minPipelineCoverage = v;
    },
  },
  stage12_conditional_pipeline_coverage: {
    description: "Stage 12 economy check: coverage at or above which a shortfall is only conditional (default 0.5)",
    min: 0,
    max: 100,
    apply: (p, v) => {
      p.stage12.conditionalPipelineCoverage = v;
    },
  },
  stage13_now_horizon_months: {
    description:
      'Stage 13 kill gate: months from the roadmap start within which every "now" milestone is due (default 9)',
    min: 1,
    max: 120,
    integer: true,
    apply: (p, v) => {
      p.stage13.nowHorizonMonths = v;
    },
  },
  stage13_max_horizon_months: {
    description: "Stage 13 kill gate: months from the roadmap start within which every milestone is due (default 36)",
    min: 1,
    max: 240,
    integer: true,
    apply: (p, v) => {
      p.stage13.maxHorizonMonths = v;
    },
  },
  ...gateKeys("stage3", "Stage 3 kill gate", {
    pass_threshold: ["passOverall", "overall score (0-100) from which it passes (default 70)", 0, 100],
    kill_threshold: [
      "reviseOverall",
      "overall score (0-100) below which it kills; from it to the pass threshold it revises (default 50)",
      0,
      100,
    ],
    metric_floor: ["metricFloor", "score (0-100) below which any one of the six metrics kills (default 50)", 0, 100],
  }),
  ...gateKeys("stage5", "Stage 5 kill gate", {
    pass_roi: [
      "passRoi",
      "3-year ROI (a fraction, 0.25 = 25%) from which it passes on the normal supplements (default 0.25)",
      -10,
      100,
    ],
    kill_roi: [
      "killRoi",
      "3-year ROI (a fraction) below which it kills; from it to the pass ROI is the band needing strong supplements (default 0.15)",
      -10,
      100,
    ],
    max_break_even_month: ["maxBreakEvenMonth", "latest break-even month before it kills (default 24)", 1, 600, true],
    pass_ltv_cac: ["passLtvCac", "LTV:CAC needed at or above the pass ROI (default 2)", 0, 1000],
    pass_payback_months: [
      "passPaybackMonths",
      "longest payback (months) at or above the pass ROI (default 18)",
      0,
      600,
    ],
    band_ltv_cac: ["bandLtvCac", "LTV:CAC needed in the band between the kill and pass ROI (default 3)", 0, 1000],
    band_payback_months: ["bandPaybackMonths", "longest payback (months) in the band (default 12)", 0, 600],
  }),
  ...gateKeys("stage20", "Stage 20 quality gate", {
    pass_rate_threshold: ["passRate", "overall test pass rate (percent) it needs (default 95)", 0, 100],
    coverage_threshold: ["coverage", "test coverage (percent) it needs (default 60)", 0, 100],
  }),
  stage16_margin_tolerance: {
    description:
      "Stage 16 promotion gate: how far (a fraction, 0.02 = 2 points) gross margin may trail Stage 5's (default 0.02)",
    min: 0,
    max: 1,
    apply: (p, v) => {
      p.stage16.marginTolerance = v;
    },
  },
};

/** `reality.min_quality_score` → `reality_min_quality_score`. */
export const canonicalKey = (key: string) => key.trim().toLowerCase().replaceAll(".", "_");

function copy(profile: EvaluationProfile): EvaluationProfile {
  return {
    name: profile.name,
    reality: Object.fromEntries(REALITY_BOUNDARIES.map((b) => [b, { ...profile.reality[b] }])) as Record<
      RealityBoundary,
      RealityThresholds
    >,
    stage12: { ...profile.stage12 },
    stage13: { ...profile.stage13 },
    stage16: { ...profile.stage16 },
    stage3: { ...profile.stage3 },
    stage5: { ...profile.stage5 },
    stage20: { ...profile.stage20 },
    overrides: { ...profile.overrides },
    rejected: [...profile.rejected],
  };
}

/**
 * The profile in force for a venture: the default, with every Chairman
 * preference (venture scope over global, as eva.fn_resolve_chairman_preferences
 * resolves them) that names a profile key. Keys the profile does not know are
 * ignored (they belong to the DFE and others); a known key with an unusable
 * value (not a number, out of range) keeps the default and is listed in
 * `rejected`. Overrides that contradict each other are reconciled so the
 * minimum stands: a target below its minimum is raised to it, a conditional
 * coverage above the minimum coverage is lowered to it (the band between is
 * then empty), a roadmap horizon shorter than the "now" horizon is raised to
 * it, and a pass line below its kill line (Stage 3 score, Stage 5 ROI) is
 * raised to it; Stage 5's band asks at least as much as outside it (its
 * LTV:CAC is raised to the pass one, its payback lowered to the pass one).
 */
export function profileFromPreferences(
  preferences: Readonly<Record<string, string>>,
  base: EvaluationProfile = DEFAULT_PROFILE,
): EvaluationProfile {
  const profile = copy(base);
  const values = new Map<string, string>();
  // The canonical (storable) spelling wins over a dotted alias of the same key.
  for (const [key, value] of Object.entries(preferences)) {
    const canonical = canonicalKey(key);
    if (!values.has(canonical) || key === canonical) values.set(canonical, value);
  }
  for (const [key, spec] of Object.entries(PREFERENCE_KEYS)) {
    const raw = values.get(key);
    if (raw === undefined) continue;
    const value = raw.trim() === "" ? Number.NaN : Number(raw);
    const reason = !Number.isFinite(value)
      ? "not a number"
      : value < spec.min || value > spec.max
        ? `outside ${spec.min}-${spec.max}`
        : spec.integer && !Number.isInteger(value)
          ? "not a whole number"
          : null;
    if (reason) {
      profile.rejected.push({ key, value: raw, reason });
      continue;
    }
    spec.apply(profile, value);
    profile.overrides[key] = value;
  }
  for (const b of REALITY_BOUNDARIES) {
    const t = profile.reality[b];
    t.targetQualityScore = Math.max(t.targetQualityScore, t.minQualityScore);
  }
  profile.stage12.conditionalPipelineCoverage = Math.min(
    profile.stage12.conditionalPipelineCoverage,
    profile.stage12.minPipelineCoverage,
  );
  profile.stage13.maxHorizonMonths = Math.max(profile.stage13.maxHorizonMonths, profile.stage13.nowHorizonMonths);
  const { stage3: s3, stage5: s5 } = profile;
  s3.passOverall = Math.max(s3.passOverall, s3.reviseOverall);
  s5.passRoi = Math.max(s5.passRoi, s5.killRoi);
  s5.bandLtvCac = Math.max(s5.bandLtvCac, s5.passLtvCac);
  s5.bandPaybackMonths = Math.min(s5.bandPaybackMonths, s5.passPaybackMonths);
  if (Object.keys(profile.overrides).length) profile.name = `${base.name} + chairman preferences`;
  return profile;
}
