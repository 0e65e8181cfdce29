import { describe, expect, it } from "vitest";
import {
  DEFAULT_PROFILE,
  PREFERENCE_KEYS,
  profileFromPreferences,
  REALITY_BOUNDARIES,
} from "../../src/gates/profiles.ts";

describe("evaluation profiles", () => {
  it("has documented defaults", () => {
    const p = profileFromPreferences({});
    expect(p.name).toBe("default");
    for (const b of REALITY_BOUNDARIES) expect(p.reality[b]).toEqual({ minQualityScore: 60, targetQualityScore: 70 });
    expect(p.stage12).toEqual({ minPipelineCoverage: 1, conditionalPipelineCoverage: 0.5 });
    expect(p.stage13).toEqual({ nowHorizonMonths: 9, maxHorizonMonths: 36 });
    expect(p.stage16).toEqual({ marginTolerance: 0.02 });
    expect(p.overrides).toEqual({});
  });

  it("documents every key in the spelling chairman_preferences can store", () => {
    for (const [key, spec] of Object.entries(PREFERENCE_KEYS)) {
      expect(key).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(spec.description.length).toBeGreaterThan(20);
    }
    expect(Object.keys(PREFERENCE_KEYS)).toEqual(
      expect.arrayContaining([
        "reality_min_quality_score",
        "reality_target_quality_score",
        "reality_stage12_min_quality_score",
        "stage12_min_pipeline_coverage",
        "stage12_conditional_pipeline_coverage",
        "stage13_now_horizon_months",
        "stage13_max_horizon_months",
        "stage16_margin_tolerance",
      ]),
    );
  });

  it("applies Chairman preferences, a per-boundary key over the all-boundaries one whatever their order", () => {
    const p = profileFromPreferences({
      reality_stage16_min_quality_score: "75",
      reality_min_quality_score: "50",
      "stage12.min_pipeline_coverage": "1.5",
      cost_threshold: "50000",
    });
    expect(p.reality[16].minQualityScore).toBe(75);
    expect(p.reality[16].targetQualityScore).toBe(75);
    expect(p.reality[9].minQualityScore).toBe(50);
    expect(p.stage12.minPipelineCoverage).toBe(1.5);
    expect(p.overrides).toEqual({
      reality_min_quality_score: 50,
      reality_stage16_min_quality_score: 75,
      stage12_min_pipeline_coverage: 1.5,
    });
    expect(p.name).toBe("default + chairman preferences");
  });

  it("prefers the storable spelling over a dotted alias", () => {
    const p = profileFromPreferences({ "reality.min_quality_score": "40", reality_min_quality_score: "55" });
    expect(p.reality[5].minQualityScore).toBe(55);
  });

  it("keeps the default for unusable values and says why", () => {
    const p = profileFromPreferences({
      reality_min_quality_score: "high",
      reality_target_quality_score: "120",
      stage13_now_horizon_months: "6.5",
      stage16_margin_tolerance: "",
    });
    expect(p.reality[5]).toEqual({ minQualityScore: 60, targetQualityScore: 70 });
    expect(p.stage13.nowHorizonMonths).toBe(9);
    expect(p.stage16.marginTolerance).toBe(0.02);
    expect(p.rejected.map((r) => [r.key, r.reason])).toEqual([
      ["reality_min_quality_score", "not a number"],
      ["reality_target_quality_score", "outside 0-100"],
      ["stage13_now_horizon_months", "not a whole number"],
      ["stage16_margin_tolerance", "not a number"],
    ]);
  });

  it("reconciles contradicting overrides so the minimum stands", () => {
    const p = profileFromPreferences({
      reality_target_quality_score: "50",
      stage12_conditional_pipeline_coverage: "2",
      stage13_now_horizon_months: "48",
    });
    expect(p.reality[9]).toEqual({ minQualityScore: 60, targetQualityScore: 60 });
    expect(p.stage12.conditionalPipelineCoverage).toBe(1);
    expect(p.stage13.maxHorizonMonths).toBe(48);
  });

  it("never changes the default profile", () => {
    profileFromPreferences({ reality_min_quality_score: "10" });
    expect(DEFAULT_PROFILE.reality[5].minQualityScore).toBe(60);
  });
});
