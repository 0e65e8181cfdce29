// The analysis cache in PostgreSQL (eva_private.analysis_cache, through its functions as eva_service),
// shared by every analyst and worker that points at the database.
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createDatabaseCache } from "../../src/llm/cache.ts";
import { promptHash } from "../../src/llm/hash.ts";
import { createOfflineAnalyst } from "../../src/llm/offline-analyst.ts";
import { createOpenAIAnalyst } from "../../src/llm/openai-analyst.ts";
import type { AnalysisRequest } from "../../src/llm/types.ts";
import { createTestDatabase } from "../helpers/database.ts";
import { type FakeOpenAIServer, reply, startFakeOpenAIServer } from "../helpers/fake-openai-server.ts";

const t = await createTestDatabase();
let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startFakeOpenAIServer();
});
afterEach(() => server.reset());
afterAll(async () => {
  await server.close();
  await t.drop();
});

const schema = z.object({ summary: z.string().min(1), score: z.number().int() });
function request(user: string): AnalysisRequest<z.infer<typeof schema>> {
  return {
    schemaName: "cache_test",
    schema,
    prompt: { system: "Answer in JSON.", user },
    simulate: (rng) => ({ summary: "simulated", score: rng.int(0, 100) }),
  };
}
const hashOf = (user: string) => promptHash({ system: "Answer in JSON.", user }, "cache_test");
const usage = { promptTokens: 120, completionTokens: 40, estimated: false };

async function row(hash: string, model: string) {
  const { rows } = await sql<{ output: unknown; prompt_tokens: number; completion_tokens: number; hits: string }>`
    select output, prompt_tokens, completion_tokens, hits::text from eva_private.analysis_cache
    where prompt_hash = ${hash} and model = ${model}`.execute(t.db);
  return rows[0];
}

describe("database analysis cache", () => {
  it("stores an answer with its token counts, returns it and counts the hits", async () => {
    const cache = createDatabaseCache(t.service);
    const hash = hashOf("store");
    expect(await cache.get(hash, "m1")).toBeUndefined();

    await cache.put(hash, "m1", { summary: "ok", score: 3, nested: { list: [1, "two"] } }, usage);
    expect(await cache.get(hash, "m1")).toEqual({ summary: "ok", score: 3, nested: { list: [1, "two"] } });
    expect(await cache.get(hash, "m2")).toBeUndefined();
    expect(await row(hash, "m1")).toMatchObject({ prompt_tokens: 120, completion_tokens: 40, hits: "1" });
  });

  it("keeps the first answer for a key", async () => {
    const cache = createDatabaseCache(t.service);
    const hash = hashOf("first stays");
    await cache.put(hash, "m1", { summary: "first", score: 1 }, usage);
    await cache.put(hash, "m1", { summary: "second", score: 2 }, usage);
    expect(await cache.get(hash, "m1")).toEqual({ summary: "first", score: 1 });
  });

  it("is shared across OpenAI analyst instances: the second asks the server nothing", async () => {
    server.enqueue(reply.json({ summary: "from the model", score: 61 }, { prompt_tokens: 200, completion_tokens: 50 }));
    const make = () =>
      createOpenAIAnalyst({
        apiKey: "test-key",
        baseURL: server.baseURL,
        model: "test-model",
        cache: createDatabaseCache(t.service),
      });
    const first = await make().analyze(request("shared"));
    const second = await make().analyze(request("shared"));

    expect(server.requests).toHaveLength(1);
    expect(second.output).toEqual(first.output);
    expect(second.usage).toEqual({ promptTokens: 0, completionTokens: 0, estimated: false });
    expect(second.provenance).toMatchObject({ cached: true, attempts: 0 });
    expect(await row(hashOf("shared"), "test-model")).toMatchObject({
      output: { summary: "from the model", score: 61 },
      prompt_tokens: 200,
      completion_tokens: 50,
      hits: "1",
    });
  });

  it("is shared across offline analyst instances, under the offline model's name", async () => {
    const first = await createOfflineAnalyst({ cache: createDatabaseCache(t.service) }).analyze(request("offline"));
    const second = await createOfflineAnalyst({ cache: createDatabaseCache(t.service) }).analyze(request("offline"));
    expect(first.provenance.cached).toBe(false);
    expect(second.provenance.cached).toBe(true);
    expect(second.output).toEqual(first.output);
    expect(await row(hashOf("offline"), "eva-offline-analyst-v1")).toMatchObject({ output: first.output });
  });

  it("keeps a paid-for answer when the cache write fails", async () => {
    const real = createDatabaseCache(t.service);
    const failing = {
      get: real.get,
      put: async () => {
        throw new Error("database unavailable");
      },
    };
    server.enqueue(reply.json({ summary: "still delivered", score: 1 }));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    try {
      const result = await createOpenAIAnalyst({
        apiKey: "test-key",
        baseURL: server.baseURL,
        model: "test-model",
        cache: failing,
      }).analyze(request("write fails"));
      expect(result.output).toEqual({ summary: "still delivered", score: 1 });
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.some((w) => w.includes("database unavailable"))).toBe(true);
    } finally {
      process.off("warning", onWarning);
    }
  });
});
