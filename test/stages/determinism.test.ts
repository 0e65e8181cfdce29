// The offline analyst is deterministic in the venture's inputs: the same idea
// gets the same analysis in any database, whatever ids the rows were given.
import { describe, expect, it } from "vitest";
import { createRng } from "../../src/llm/rng.ts";
import { STAGES } from "../../src/stages/index.ts";
import { contextAt, must, sampleVentures } from "./fixtures-18-25.ts";

describe("offline analyses do not depend on row ids", () => {
  it.each([...STAGES.values()].filter((s) => s.number >= 18))("stage $number", (stage) => {
    const venture = must(sampleVentures[0]);
    const a = contextAt(stage, venture);
    const b = { ...a, venture: { ...a.venture, id: "11111111-2222-4333-8444-555555555555" } };
    expect(stage.simulate(b, createRng(9))).toEqual(stage.simulate(a, createRng(9)));
  });
});
