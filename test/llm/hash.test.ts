// The prompt hash is the cache key and the seed's source: stable, and changed by anything that changes the answer.
import { describe, expect, it } from "vitest";
import { canonicalJson, promptHash, seedFromHash } from "../../src/llm/hash.ts";

const prompt = { system: "You are a venture analyst.", user: "Assess LedgerLoop." };

describe("prompt hash", () => {
  it("is the sha256 hex of the canonical JSON of system, user and schema name", () => {
    const hash = promptHash(prompt, "stage_02_idea_validation");
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    // Key order of the input does not matter.
    expect(promptHash({ user: prompt.user, system: prompt.system }, "stage_02_idea_validation")).toBe(hash);
    // sha256 of {"schemaName":"stage_02_idea_validation","system":"You are a venture analyst.","user":"Assess LedgerLoop."}
    expect(hash).toBe("5ebc366651aa7eb3f70cf499c20dbcc4f0951e4671947688674920646adc0290");
  });

  it("changes with the system prompt, the user prompt and the schema name", () => {
    const base = promptHash(prompt, "a");
    expect(promptHash({ ...prompt, system: `${prompt.system} ` }, "a")).not.toBe(base);
    expect(promptHash({ ...prompt, user: "Assess StallSwap." }, "a")).not.toBe(base);
    expect(promptHash(prompt, "b")).not.toBe(base);
    // No ambiguity between where the system prompt ends and the user prompt begins.
    expect(promptHash({ system: "ab", user: "c" }, "a")).not.toBe(promptHash({ system: "a", user: "bc" }, "a"));
  });

  it("serialises objects with sorted keys at every level", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });

  it("derives an unsigned 32-bit seed from the hash", () => {
    expect(seedFromHash(`ffffffff${"0".repeat(56)}`)).toBe(4294967295);
    expect(seedFromHash(`0000002a${"f".repeat(56)}`)).toBe(42);
    const seed = seedFromHash(promptHash(prompt, "a"));
    expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32).toBe(true);
    expect(() => seedFromHash("not a hash")).toThrow(TypeError);
  });
});
