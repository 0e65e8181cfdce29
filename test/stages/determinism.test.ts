// The offline analyst is deterministic in the venture's inputs: the same idea
// gets the same analysis in any database, whatever ids the rows were given.
import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { type AnyStage, STAGES } from "../../src/stages/index.ts";
import type { StageContext } from "../../src/stages/types.ts";
import { contextAt as contextThrough17 } from "./fixtures-10-17.ts";
import { contextAt as contextFrom18, must, sampleVentures } from "./fixtures-18-25.ts";

const context = (stage: AnyStage): StageContext => {
  const venture = must(sampleVentures[0]);
  return stage.number >= 18 ? contextFrom18(stage, venture) : contextThrough17(stage, venture);
};

describe("offline analyses do not depend on row ids", () => {
  it.each([...STAGES.values()])("stage $number", (stage) => {
    const a = context(stage);
    const b = { ...a, venture: { ...a.venture, id: "11111111-2222-4333-8444-555555555555" } };
    expect(stage.simulate(b, createRng(9))).toEqual(stage.simulate(a, createRng(9)));
  });
});
