// Every gate over the offline analyst's artifacts for the sample ventures and
// their variants (the real stage modules, run in lifecycle order by the stage
// fixtures): decisions are allowed values, re-evaluate from their inputs, and
// spread across the bands.
import { describe, expect, it } from "vitest";
import { evaluateStageGate, GATE_DECISIONS, STAGE_GATE_TYPES } from "../../src/gates/index.ts";
import { BOUNDARY_PHASE, primaryArtifactType } from "../../src/gates/reality.ts";
import type { GateInput, PhaseArtifact } from "../../src/gates/types.ts";
import { stageDefinition } from "../../src/stages/index.ts";
import type { VentureBrief } from "../../src/stages/types.ts";
import { stageContext } from "../stages/fixtures-10-17.ts";
import { chainThrough, spreadVentures, tally } from "../stages/fixtures-18-25.ts";
import { expectReevaluates } from "./helpers.ts";

const boundaries = BOUNDARY_PHASE as Record<number, { stages: number[] }>;

/** The gate input the engine would build for `stage` of `venture` from the offline chain. */
function offlineInput(venture: VentureBrief, stage: number): GateInput {
  const all = chainThrough(venture, 25);
  const definition = stageDefinition(stage);
  if (!definition) throw new Error(`no stage ${stage}`);
  const ctx = stageContext(definition, venture, all);
  const artifact = all[primaryArtifactType(stage)]?.content ?? {};
  const phaseArtifacts: PhaseArtifact[] = (boundaries[stage]?.stages ?? []).map((s) => {
    const type = primaryArtifactType(s);
    const a = all[type];
    if (!a) throw new Error(`no ${type} in the chain`);
    const module = stageDefinition(s);
    return {
      stage: s,
      type,
      version: a.version,
      validationStatus: "validated",
      qualityScore: module ? module.qualityScore(a.content as never, stageContext(module, venture, all)) : null,
    };
  });
  return {
    stage,
    gateType: STAGE_GATE_TYPES[stage] ?? "none",
    realityGate: stage in boundaries,
    venture,
    artifact,
    upstream: ctx.artifacts,
    phaseArtifacts,
    preferences: {},
  };
}

const GATED = Object.keys(STAGE_GATE_TYPES).map(Number);

describe("gates over the offline analyst's sample ventures", () => {
  const results = new Map<string, string[]>();
  const record = (key: string, decision: string) => results.set(key, [...(results.get(key) ?? []), decision]);
  for (const venture of spreadVentures) {
    for (const stage of GATED) {
      const { gate, reality } = evaluateStageGate(offlineInput(venture, stage));
      if (gate) record(`${stage}`, gate.decision);
      if (reality && reality !== gate) record(`${stage} reality`, reality.decision);
    }
  }

  it("prints the spread of decisions per gate", () => {
    const rows = [...results].map(([gate, decisions]) => ({ gate, ...tally(decisions) }));
    console.table(rows);
    expect(rows.length).toBe(GATED.length + 3);
  });

  it("decides only allowed values, and every decision re-evaluates from its recorded inputs", () => {
    for (const venture of spreadVentures) {
      for (const stage of GATED) {
        const { gate, reality } = evaluateStageGate(offlineInput(venture, stage));
        const type = STAGE_GATE_TYPES[stage] as keyof typeof GATE_DECISIONS;
        expect(GATE_DECISIONS[type]).toContain(gate?.decision);
        if (gate) expectReevaluates(gate, stage, "gate");
        if (reality) {
          expect(GATE_DECISIONS.reality).toContain(reality.decision);
          expectReevaluates(reality, stage, "reality");
        }
      }
    }
  });

  it("spreads ventures of different strength across each gate's bands", () => {
    const seen = (key: string) => new Set(results.get(key));
    expect(seen("3")).toEqual(new Set(["pass", "revise", "kill"]));
    expect(seen("5")).toEqual(new Set(["pass", "revise", "kill"]));
    expect(seen("12")).toEqual(new Set(["pass", "conditional", "fail"]));
    expect(seen("13")).toEqual(new Set(["pass", "revise", "kill"]));
    expect(seen("16")).toEqual(new Set(["release", "hold", "cancel"]));
    expect(seen("17")).toEqual(new Set(["go", "conditional_go", "no_go"]));
    for (const key of ["19", "20", "21", "22", "23", "25"]) expect(seen(key).size, key).toBeGreaterThanOrEqual(2);
  });
});
