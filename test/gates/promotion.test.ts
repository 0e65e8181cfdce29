import { describe, expect, it } from "vitest";
import { checkNamed, expectReevaluates, failed, gateInput, gateOf, upstreamArtifact } from "./helpers.ts";

describe("stage 16 promotion gate (§8.4)", () => {
  type Warning = { kind: string; phaseName: string | null; value: number; threshold: number; message: string };
  const projections = (cashBalanceEnd: number, grossMargin: number | null, warnings: Warning[] = []) => ({
    phases: [],
    startingCash: 400_000,
    pnl: { revenue: grossMargin === null ? 0 : 900_000, grossMargin, ebitda: -100_000 },
    cashBalanceEnd,
    viabilityWarnings: warnings,
  });
  const warning = (kind: string, value: number, threshold: number, phaseName: string | null = "next"): Warning => ({
    kind,
    phaseName,
    value,
    threshold,
    message: `${kind} in ${phaseName}`,
  });
  const stage5 = (grossMargin: number) => upstreamArtifact(5, "financial_model", { unitEconomics: { grossMargin } }, 2);
  const decide = (content: Record<string, unknown>, margin: number | null = 0.78, prefs: Record<string, string> = {}) =>
    gateOf(
      gateInput(16, content, {
        upstream: margin === null ? {} : { financial_model: stage5(margin) },
        preferences: prefs,
      }),
    );

  it("releases a plan whose cash stays positive with runway, burn within plan and Stage 5's margin", () => {
    const d = decide(projections(350_000, 0.79));
    expect(d.decision).toBe("release");
    expect(failed(d)).toEqual([]);
    expect(d.inputs).toMatchObject({ stage5GrossMargin: 0.78, stage5GrossMarginSource: "financial_model v2" });
    expectReevaluates(d, 16);
  });

  it("cancels a plan that runs out of cash, during a phase or at its end", () => {
    const during = decide(projections(120_000, 0.79, [warning("runway", 0, 3, "now")]));
    expect(during.decision).toBe("cancel");
    expect(during.rationale).toContain("cash runs out in phase now");
    expect(decide(projections(-1, 0.79)).decision).toBe("cancel");
    expect(decide(projections(0, 0.79)).decision).toBe("cancel");
  });

  it("holds a thin runway, burn above the Stage 5 plan, or no revenue", () => {
    const thin = decide(projections(50_000, 0.79, [warning("runway", 2.5, 3)]));
    expect(thin.decision).toBe("hold");
    expect(checkNamed(thin, "runway ≥ 3 months").detail).toContain("next (2.5 months)");
    const burn = decide(projections(300_000, 0.79, [warning("burn_above_plan", 60_000, 40_000, "later")]));
    expect(burn.decision).toBe("hold");
    expect(burn.rationale).toContain("burn above plan in later");
    expect(decide(projections(300_000, null)).decision).toBe("hold");
  });

  it("holds a gross margin more than 2 points below Stage 5's and warns within 2 points", () => {
    expect(decide(projections(300_000, 0.7599)).decision).toBe("hold");
    const edge = decide(projections(300_000, 0.76));
    expect(edge.decision).toBe("release");
    expect(failed(edge, "warning").map((c) => c.name)).toEqual(["gross margin at or above Stage 5"]);
    expect(decide(projections(300_000, 0.7599), 0.78, { stage16_margin_tolerance: "0.05" }).decision).toBe("release");
  });

  it("falls back on the margin warning's threshold without the Stage 5 upstream, and warns without either", () => {
    const warned = decide(projections(300_000, 0.7, [warning("margin_below_stage5", 0.7, 0.78, null)]), null);
    expect(warned.decision).toBe("hold");
    expect(warned.inputs).toMatchObject({
      stage5GrossMargin: 0.78,
      stage5GrossMarginSource: "margin_below_stage5 warning",
    });
    const unknown = decide(projections(300_000, 0.7), null);
    expect(unknown.decision).toBe("release");
    expect(failed(unknown, "warning")[0]?.detail).toContain("Stage 5 gross margin not available");
  });
});

describe("stage 22 promotion gate (§8.5 P0 fix)", () => {
  const QUALITY = ["pass", "conditional_pass", "fail", null] as const;
  const REVIEW = ["approve", "conditional", "reject", null] as const;
  const RELEASE = ["release", "hold", "cancel"] as const;

  const pkg = (release: string) => ({
    releaseItems: [],
    releaseDecision: { decision: release, rationale: "recommendation", approver: "Chairman" },
    sprintSummary: { qualityAssessment: { decision: null }, integrationStatus: { reviewDecision: null } },
  });
  const input = (quality: string | null, review: string | null, release: string) =>
    gateInput(22, pkg(release), {
      upstream: {
        ...(quality
          ? { qa_report: upstreamArtifact(20, "qa_report", { qualityDecision: { decision: quality } }) }
          : {}),
        ...(review
          ? { build_review: upstreamArtifact(21, "build_review", { reviewDecision: { decision: review } }) }
          : {}),
      },
    });

  it("decides every combination of quality, review and release decisions as §8.5 states", () => {
    const rows: string[] = [];
    for (const q of QUALITY)
      for (const r of REVIEW)
        for (const rel of RELEASE) {
          const d = gateOf(input(q, r, rel));
          const qualityOk = q === "pass" || q === "conditional_pass";
          const reviewOk = r === "approve" || r === "conditional";
          const expected =
            rel === "cancel" ? "cancel" : qualityOk && reviewOk && rel === "release" ? "release" : "hold";
          rows.push(`${q}/${r}/${rel} → ${d.decision}`);
          expect(d.decision, `${q}/${r}/${rel}`).toBe(expected);
          // Conditional states are warnings, never blockers.
          const warnings = failed(d, "warning").map((c) => c.name);
          expect(warnings.includes("quality passed without conditions")).toBe(q === "conditional_pass");
          expect(warnings.includes("review approved without conditions")).toBe(r === "conditional");
          const blockers = failed(d, "blocker").map((c) => c.name);
          expect(blockers.includes("quality decision pass or conditional_pass")).toBe(!qualityOk);
          expect(blockers.includes("review decision approve or conditional")).toBe(!reviewOk);
          expect(blockers.includes("release decision is release")).toBe(rel !== "release");
          expectReevaluates(d, 22);
        }
    expect(rows).toHaveLength(48);
  });

  it("releases with warnings on conditional quality and review", () => {
    const d = gateOf(input("conditional_pass", "conditional", "release"));
    expect(d.decision).toBe("release");
    expect(d.rationale).toContain("warnings");
    expect(failed(d, "blocker")).toEqual([]);
  });

  it("reads quality and review from Stages 20 and 21, falling back on the package's sprint summary", () => {
    const fromUpstream = gateOf(input("pass", "approve", "release"));
    expect(fromUpstream.inputs).toMatchObject({ qualitySource: "qa_report v1", reviewSource: "build_review v1" });
    const summary = {
      ...pkg("release"),
      sprintSummary: {
        qualityAssessment: { decision: "conditional_pass" },
        integrationStatus: { reviewDecision: "approve" },
      },
    };
    const fromSummary = gateOf(gateInput(22, summary));
    expect(fromSummary.decision).toBe("release");
    expect(fromSummary.inputs).toMatchObject({
      qualityDecision: "conditional_pass",
      qualitySource: "release_package.sprintSummary",
    });
    // The upstream artifact wins over the summary.
    const overridden = gateOf(
      gateInput(22, summary, {
        upstream: { qa_report: upstreamArtifact(20, "qa_report", { qualityDecision: { decision: "fail" } }, 3) },
      }),
    );
    expect(overridden.decision).toBe("hold");
    expect(overridden.inputs).toMatchObject({ qualityDecision: "fail", qualitySource: "qa_report v3" });
  });
});
