// Evaluation profiles (spec §13, §16 "Gate thresholds per boundary"): the
// thresholds gates read that the spec leaves to configuration, with the
// defaults documented here and Chairman preference keys that override them.
// The spec's own numbers (Stage 3's 70/50, Stage 5's bands, Stage 20's
// 95%/60%) are not profile settings: they are the gates' definition.

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
 * infrastructure estimates) before the Stage 16 promotion holds.
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
 * then empty), and a roadmap horizon shorter than the "now" horizon is raised to it.
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
  if (Object.keys(profile.overrides).length) profile.name = `${base.name} + chairman preferences`;
  return profile;
}
