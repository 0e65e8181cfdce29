// The offline analyst: deterministic per prompt, schema-valid, labelled a simulation, cached at zero cost.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createMemoryCache } from "../../src/llm/cache.ts";
import { promptHash, seedFromHash } from "../../src/llm/hash.ts";
import { createOfflineAnalyst, OFFLINE_MODEL } from "../../src/llm/offline-analyst.ts";
import { createRng } from "../../src/llm/rng.ts";
import { AnalysisFailed, type AnalysisRequest } from "../../src/llm/types.ts";
import { stage02 } from "../../src/stages/stage-02.ts";
import type { Rng } from "../../src/stages/types.ts";
import { contextFor, sampleVentures } from "../stages/helpers.ts";

function stage02Request(ventureIndex = 0) {
  const venture = sampleVentures[ventureIndex];
  if (!venture) throw new Error("no such sample venture");
  const ctx = contextFor(venture, {});
  return {
    schemaName: "stage_02_idea_validation",
    schema: stage02.analysisSchema,
    prompt: stage02.prompt(ctx),
    simulate: (rng: Rng) => stage02.simulate(ctx, rng),
  };
}

describe("offline analyst", () => {
  it("answers the same prompt the same way, across analyst instances", async () => {
    const first = await createOfflineAnalyst().analyze(stage02Request(0));
    const again = await createOfflineAnalyst().analyze(stage02Request(0));
    const other = await createOfflineAnalyst().analyze(stage02Request(2));

    expect(again.output).toEqual(first.output);
    expect(again.provenance.seed).toBe(first.provenance.seed);
    expect(other.provenance.promptHash).not.toBe(first.provenance.promptHash);
    expect(other.output).not.toEqual(first.output);
    expect(stage02.analysisSchema.safeParse(first.output).success).toBe(true);
  });

  it("labels its answer a simulation, with estimated usage and its provenance", async () => {
    const request = stage02Request(1);
    const result = await createOfflineAnalyst().analyze(request);
    const hash = promptHash(request.prompt, request.schemaName);

    expect(result.epistemic).toBe("simulation");
    expect(result.provenance).toEqual({
      analyst: "offline",
      model: OFFLINE_MODEL,
      promptHash: hash,
      temperature: 0,
      seed: seedFromHash(hash),
      attempts: 1,
      cached: false,
      responseFormat: "none",
    });
    expect(result.usage).toEqual({
      promptTokens: Math.ceil(request.prompt.system.length / 4) + Math.ceil(request.prompt.user.length / 4),
      completionTokens: Math.ceil(JSON.stringify(result.output).length / 4),
      estimated: true,
    });
    expect(result.usage.promptTokens).toBeGreaterThan(0);
  });

  it("seeds the simulation with the prompt hash", async () => {
    let drawn: number | undefined;
    const request: AnalysisRequest<{ n: number }> = {
      schemaName: "draw",
      schema: z.object({ n: z.number() }),
      prompt: { system: "s", user: "u" },
      simulate: (rng) => {
        drawn = rng.next();
        return { n: drawn };
      },
    };
    await createOfflineAnalyst().analyze(request);
    expect(drawn).toBe(createRng(seedFromHash(promptHash(request.prompt, "draw"))).next());
  });

  it("serves a repeated prompt from the cache at zero cost without simulating again", async () => {
    const cache = createMemoryCache();
    let simulations = 0;
    const base = stage02Request(3);
    const request = {
      ...base,
      simulate: (rng: Rng) => {
        simulations++;
        return base.simulate(rng);
      },
    };
    const first = await createOfflineAnalyst({ cache }).analyze(request);
    const second = await createOfflineAnalyst({ cache }).analyze(request);

    expect(simulations).toBe(1);
    expect(cache.size).toBe(1);
    expect(second.output).toEqual(first.output);
    expect(second.usage).toEqual({ promptTokens: 0, completionTokens: 0, estimated: false });
    expect(second.provenance).toMatchObject({ cached: true, attempts: 0, analyst: "offline", responseFormat: "none" });
    expect(second.epistemic).toBe("simulation");
  });

  it("reports a simulation that fails its own schema as a non-retryable bug, naming the paths", async () => {
    const request: AnalysisRequest<{ score: number; tags: string[] }> = {
      schemaName: "broken",
      schema: z.object({ score: z.number().max(100), tags: z.array(z.string().min(1)) }),
      prompt: { system: "s", user: "u" },
      simulate: () => ({ score: 140, tags: [""] }),
    };
    const cache = createMemoryCache();
    const error = await createOfflineAnalyst({ cache })
      .analyze(request)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AnalysisFailed);
    const failed = error as AnalysisFailed;
    expect(failed.retryable).toBe(false);
    expect(failed.message).toContain("score: ");
    expect(failed.message).toContain("tags[0]: ");
    expect(cache.size).toBe(0);
  });
});
