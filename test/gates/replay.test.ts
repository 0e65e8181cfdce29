import { describe, expect, it } from "vitest";
import { DEFAULT_GLOBAL_PREFERENCES, type DfeInput, evaluateDFE } from "../../src/gates/dfe.ts";
import { evaluateStageGate } from "../../src/gates/index.ts";
import {
  contentHash,
  parseWhatIf,
  type RecordedGateOutcome,
  recordReplayInputs,
  replayGateOutcome,
  WhatIfError,
} from "../../src/gates/replay.ts";
import { METRICS } from "../../src/stages/stage-02.ts";
import { gateInput, upstreamArtifact } from "./helpers.ts";

const scorecard = (overallScore: number) => ({
  overallScore,
  metrics: Object.fromEntries(METRICS.map((m) => [m, 75])),
});

/** A Stage 3 run as the engine records it: gate, DFE, and the replay record, through JSON. */
function recordedRun(overall: number) {
  const artifact = scorecard(overall);
  const upstream = { idea_brief: upstreamArtifact(2, "idea_brief", { compositeScore: 72, notes: ["a", "b"] }) };
  const preferences = { ...DEFAULT_GLOBAL_PREFERENCES, stage3_pass_threshold: "70" };
  const gate = gateInput(3, artifact, { upstream, preferences });
  const evaluation = evaluateStageGate(gate);
  const dfeInput: DfeInput = {
    stage: 3,
    artifact: gate.artifact,
    upstream: gate.upstream,
    venture: gate.venture,
    gate: evaluation,
    preferences: gate.preferences,
    preferenceScopes: Object.fromEntries(Object.keys(preferences).map((k) => [k, "global" as const])),
    knownPatterns: ["saas:3"],
  };
  const dfe = evaluateDFE(dfeInput);
  const outcome = JSON.parse(
    JSON.stringify({
      ...evaluation.gate,
      dfe: { output: dfe.output, triggers: dfe.triggers, recommendedAction: dfe.recommendedAction },
      replayInputs: recordReplayInputs(gate, dfeInput, "validation_report"),
    }),
  ) as Record<string, unknown>;
  const recorded: RecordedGateOutcome = {
    stage: 3,
    run: 1,
    gateType: "kill",
    decision: evaluation.gate?.decision as string,
    outcome,
  };
  // What the database gives back: the same content, keys in its own order.
  const reordered = JSON.parse(JSON.stringify({ metrics: artifact.metrics, overallScore: artifact.overallScore }));
  return { recorded, found: { artifact: reordered, upstream: [upstream.idea_brief] } };
}

describe("gate replay from recorded inputs", () => {
  it("records artifacts by version and hash and what the gate shares with the DFE once", () => {
    const { recorded } = recordedRun(80);
    const record = recorded.outcome.replayInputs as Record<string, Record<string, unknown>>;
    expect(record.artifact).toEqual({ type: "validation_report", sha256: contentHash(scorecard(80)) });
    expect(record.upstream).toEqual([
      { stage: 2, type: "idea_brief", version: 1, qualityScore: 80, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    ]);
    expect(record.gate?.fromDfe).toEqual(["stage", "venture", "preferences"]);
    expect(Object.keys(record.gate?.input ?? {}).sort()).toEqual(["gateType", "phaseArtifacts", "realityGate"]);
    expect(record.dfe).not.toHaveProperty("artifact");
    expect(record.dfe).toMatchObject({ knownPatterns: ["saas:3"], preferenceScopes: { score_threshold: "global" } });
  });

  it("replays to the recorded decision, rationale and DFE; a what-if moves them", () => {
    const { recorded, found } = recordedRun(80);
    const same = replayGateOutcome(recorded, found);
    expect(same.replayedFrom).toBe("recorded inputs");
    expect(same.replayed).toEqual(same.recorded);
    expect(same.recorded).toMatchObject({ decision: "pass", dfe: { output: "AUTO_PROCEED", triggers: [] } });
    expect(same.changed).toEqual([]);

    const moved = replayGateOutcome(recorded, found, parseWhatIf(["stage3.pass_threshold=85", "score_threshold=90"]));
    expect(moved.replayed).toMatchObject({
      decision: "revise",
      dfe: { output: "PRESENT_TO_CHAIRMAN", triggers: ["low_score"], recommendedAction: "block" },
    });
    expect(moved.changed).toEqual([
      "decision pass → revise",
      "DFE AUTO_PROCEED → PRESENT_TO_CHAIRMAN",
      "DFE triggers +low_score",
      "DFE recommends proceed → block",
    ]);
  });

  it("replays only the gate when the artifact is not the one evaluated, or the outcome has no record", () => {
    const { recorded, found } = recordedRun(80);
    const tampered = replayGateOutcome(recorded, { ...found, artifact: scorecard(81) });
    expect(tampered.replayedFrom).toBe("gate inputs only");
    expect(tampered.replayed.dfe).toBeNull();
    expect(tampered.replayed.reason).toContain("differs from the one evaluated");
    expect(tampered.replayed.decision).toBe("pass");

    const lostUpstream = replayGateOutcome(recorded, { ...found, upstream: [null] });
    expect(lostUpstream.replayed.reason).toContain("upstream idea_brief version 1 is not readable");

    const { replayInputs: _, ...old } = recorded.outcome;
    const legacy = replayGateOutcome({ ...recorded, outcome: old }, null, { stage3_pass_threshold: "90" });
    expect(legacy.replayed).toMatchObject({ decision: "pass", dfe: null });
    expect(legacy.replayed.reason).toMatch(/recorded before EVA kept the DFE's inputs.*--set is not applied/);

    const bare = replayGateOutcome({ ...recorded, outcome: { rationale: "by hand" } }, null);
    expect(bare.replayed.decision).toBeNull();
    expect(bare.replayed.reason).toContain("nor its gate");
  });
});

describe("what-if keys", () => {
  it("reads dotted keys in their storable spelling; the last of a repeated key wins", () => {
    expect(
      parseWhatIf(["stage3.pass_threshold=75", "stage20_coverage_threshold=50", "stage3_pass_threshold=80"]),
    ).toEqual({
      stage3_pass_threshold: "80",
      stage20_coverage_threshold: "50",
    });
    expect(parseWhatIf(["approved_vendors=React, Rust", "drift_escalation_severity=high"])).toEqual({
      approved_vendors: "React, Rust",
      drift_escalation_severity: "high",
    });
  });

  it("refuses what no gate or DFE could use, saying why", () => {
    expect(() => parseWhatIf(["stage3_pass=75"])).toThrow(
      /unknown key "stage3_pass" \(stage3 keys: stage3_pass_threshold/,
    );
    expect(() => parseWhatIf(["stage3_pass_threshold=101"])).toThrow("stage3_pass_threshold=101: outside 0-100");
    expect(() => parseWhatIf(["stage5_max_break_even_month=12.5"])).toThrow("not a whole number");
    expect(() => parseWhatIf(["score_threshold=lots"])).toThrow("not a usable value for score_threshold");
    expect(() => parseWhatIf(["drift_escalation_severity=EXTREME"])).toThrow("not a usable value");
    expect(() => parseWhatIf(["stage3_pass_threshold"])).toThrow("is not key=value");
    expect(() => parseWhatIf(["=5"])).toThrow(WhatIfError);
  });
});
