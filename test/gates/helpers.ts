// Gate inputs for the gate tests: a constructed input for one stage, upstream
// artifacts, phase artifacts, and the re-evaluation round trip every recorded
// decision must survive.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { evaluateStageGate, reevaluateGate, STAGE_GATE_TYPES } from "../../src/gates/index.ts";
import { isRealityBoundary } from "../../src/gates/profiles.ts";
import type { GateCheck, GateResult } from "../../src/gates/shared.ts";
import type { GateDecision, GateInput, PhaseArtifact } from "../../src/gates/types.ts";
import type { UpstreamArtifact } from "../../src/stages/types.ts";
import { sampleVentures } from "../stages/helpers.ts";

type Content = Record<string, unknown>;

/** A gate input for `stage` as the engine would build it, with the stage's own gate type and reality flag. */
export function gateInput(stage: number, artifact: Content, extra: Partial<GateInput> = {}): GateInput {
  return {
    stage,
    gateType: STAGE_GATE_TYPES[stage] ?? "none",
    realityGate: isRealityBoundary(stage),
    venture: sampleVentures[0] as GateInput["venture"],
    artifact,
    upstream: {},
    phaseArtifacts: [],
    preferences: {},
    ...extra,
  };
}

export function upstreamArtifact(stage: number, type: string, content: Content, version = 1): UpstreamArtifact {
  return { stage, type, version, content, qualityScore: 80 };
}

export function phaseArtifact(
  stage: number,
  type: string,
  qualityScore: number | null = 80,
  validationStatus: PhaseArtifact["validationStatus"] = "validated",
  version = 1,
): PhaseArtifact {
  return { stage, type, version, validationStatus, qualityScore };
}

/** The stage's own gate decision; fails the test when the stage has none. */
export function gateOf(input: GateInput): GateResult {
  const { gate } = evaluateStageGate(input);
  if (!gate) throw new Error(`stage ${input.stage} returned no gate decision`);
  return gate as GateResult;
}

export function realityOf(input: GateInput): GateResult {
  const { reality } = evaluateStageGate(input);
  if (!reality) throw new Error(`stage ${input.stage} returned no reality decision`);
  return reality as GateResult;
}

export function checkNamed(decision: GateDecision, name: string): GateCheck {
  const found = (decision.checks as GateCheck[]).find((c) => c.name === name);
  if (!found) throw new Error(`no check "${name}" in ${decision.checks.map((c) => c.name).join(", ")}`);
  return found;
}

export const failed = (decision: GateDecision, severity?: "blocker" | "warning") =>
  (decision.checks as GateCheck[]).filter((c) => !c.passed && (!severity || c.severity === severity));

/** The decision recomputed from its inputs as recorded (through JSON) is the decision. */
export function expectReevaluates(decision: GateDecision, stage: number, which: "gate" | "reality" = "gate"): void {
  const recorded = JSON.parse(JSON.stringify(decision)) as GateDecision;
  expect(reevaluateGate(stage, which, recorded.inputs)).toEqual(recorded);
}

const migration = readFileSync(
  fileURLToPath(new URL("../../db/migrations/1763900000002_lifecycle-reference-data.sql", import.meta.url)),
  "utf8",
);

/** eva.gate_decision_options as the reference-data migration seeds it: gate type → decisions. */
export function seededGateDecisions(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of migration.matchAll(/\('([a-z_]+)', '([a-z_]+)', (?:true|false)\)/g)) {
    const type = m[1] as string;
    out[type] = [...(out[type] ?? []), m[2] as string];
  }
  return out;
}

/** lifecycle_stage_config's gate type and reality flag per stage, as seeded. */
export function seededStageGates(): Map<number, { gateType: string; realityGate: boolean }> {
  const out = new Map<number, { gateType: string; realityGate: boolean }>();
  for (const m of migration.matchAll(/\((\d+), '[^']*', \d, '[a-z_]+', '([a-z_]+)', (true|false), (?:true|false)/g)) {
    out.set(Number(m[1]), { gateType: m[2] as string, realityGate: m[3] === "true" });
  }
  return out;
}
