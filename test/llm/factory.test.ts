// Choosing the analyst from the environment, checked against a real local server where it matters.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createMemoryCache } from "../../src/llm/cache.ts";
import {
  createAdversary,
  createAnalyst,
  createAnalysts,
  describeAnalyst,
  describeAnalysts,
} from "../../src/llm/factory.ts";
import type { AnalysisRequest } from "../../src/llm/types.ts";
import { type FakeOpenAIServer, reply, startFakeOpenAIServer } from "../helpers/fake-openai-server.ts";

const schema = z.object({ answer: z.string() });
const request: AnalysisRequest<{ answer: string }> = {
  schemaName: "factory_test",
  schema,
  prompt: { system: "Answer in JSON.", user: "Say yes." },
  simulate: () => ({ answer: "simulated" }),
};

let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startFakeOpenAIServer();
});
afterEach(() => server.reset());
afterAll(() => server.close());

describe("createAnalyst", () => {
  it("uses the offline analyst when no key or base URL is set", async () => {
    const analyst = createAnalyst({});
    expect(analyst.kind).toBe("offline");
    expect(describeAnalyst(analyst)).toMatch(/^offline analyst .*simulation.*OPENAI_API_KEY/);
    expect((await analyst.analyze(request)).output).toEqual({ answer: "simulated" });
  });

  it("uses OpenAI with gpt-4o-mini when only a key is set", () => {
    const analyst = createAnalyst({ OPENAI_API_KEY: "sk-test" });
    expect(analyst.kind).toBe("openai");
    expect(analyst.model).toBe("gpt-4o-mini");
    expect(describeAnalyst(analyst)).toBe("gpt-4o-mini at https://api.openai.com/v1");
    expect(describeAnalyst(analyst)).not.toContain("sk-test");
  });

  it("talks to a compatible server given only its base URL, with a placeholder key and the configured model", async () => {
    server.enqueue(reply.json({ answer: "yes" }));
    const analyst = createAnalyst({ OPENAI_BASE_URL: server.baseURL, EVA_LLM_MODEL: "llama3.1:8b" });
    expect(describeAnalyst(analyst)).toBe(`llama3.1:8b at ${server.baseURL}`);

    const result = await analyst.analyze(request);
    expect(result.output).toEqual({ answer: "yes" });
    expect(result.provenance).toMatchObject({ analyst: "openai", model: "llama3.1:8b", baseUrl: server.baseURL });
    expect(server.requests[0]?.headers.authorization).toBe("Bearer not-needed");
    expect(server.requests[0]?.body.model).toBe("llama3.1:8b");
  });

  it("lets EVA_ANALYST force the choice, and refuses what it cannot honour", () => {
    expect(createAnalyst({ EVA_ANALYST: "offline", OPENAI_API_KEY: "sk-test" }).kind).toBe("offline");
    expect(createAnalyst({ EVA_ANALYST: "openai", OPENAI_API_KEY: "sk-test" }).kind).toBe("openai");
    expect(() => createAnalyst({ EVA_ANALYST: "openai" })).toThrow(/OPENAI_API_KEY/);
    expect(() => createAnalyst({ EVA_ANALYST: "claude" })).toThrow(/EVA_ANALYST/);
    expect(() => createAnalyst({ EVA_LLM_CACHE: "maybe" })).toThrow(/EVA_LLM_CACHE/);
    expect(() => createAnalyst({ OPENAI_API_KEY: "sk-test", EVA_LLM_TIMEOUT_MS: "soon" })).toThrow(
      /EVA_LLM_TIMEOUT_MS/,
    );
  });

  it("treats empty variables as unset", () => {
    expect(createAnalyst({ OPENAI_API_KEY: "", OPENAI_BASE_URL: " " }).kind).toBe("offline");
  });

  it("applies EVA_LLM_TIMEOUT_MS to each request", { timeout: 5_000 }, async () => {
    // With the 60 s default the hung first request would outlast the test.
    server.enqueue(reply.hang(), reply.json({ answer: "after the timeout" }));
    const analyst = createAnalyst({ OPENAI_BASE_URL: server.baseURL, EVA_LLM_TIMEOUT_MS: "50" });
    const result = await analyst.analyze(request);
    expect(result.output).toEqual({ answer: "after the timeout" });
    expect(server.requests).toHaveLength(2);
  });

  it("uses the given cache unless EVA_LLM_CACHE=off", async () => {
    const cache = createMemoryCache();
    server.setFallback(reply.json({ answer: "yes" }));
    const env = { OPENAI_BASE_URL: server.baseURL };

    await createAnalyst({ ...env, EVA_LLM_CACHE: "off" }, { cache }).analyze(request);
    await createAnalyst({ ...env, EVA_LLM_CACHE: "off" }, { cache }).analyze(request);
    expect(server.requests).toHaveLength(2);
    expect(cache.size).toBe(0);

    await createAnalyst(env, { cache }).analyze(request);
    const cached = await createAnalyst(env, { cache }).analyze(request);
    expect(server.requests).toHaveLength(3);
    expect(cached.provenance.cached).toBe(true);

    const offline = createAnalyst({ EVA_LLM_CACHE: "off" }, { cache });
    await offline.analyze(request);
    expect(cache.size).toBe(1);
  });
});

describe("createAdversary (the Devil's Advocate's analyst)", () => {
  it("falls back to the analyst's model, server and key when EVA_DA_* are unset", () => {
    const env = { OPENAI_BASE_URL: server.baseURL, EVA_LLM_MODEL: "analyst-model" };
    const adversary = createAdversary(env);
    expect(adversary.kind).toBe("openai");
    expect(adversary.model).toBe("analyst-model");
    expect(describeAnalyst(adversary)).toBe(`analyst-model at ${server.baseURL}`);
    expect(createAdversary({}).kind).toBe("offline");
  });

  it("takes each EVA_DA_* setting over the analyst's, and is a model of its own even beside the offline analyst", async () => {
    const { analyst, adversary } = createAnalysts({ EVA_DA_BASE_URL: server.baseURL, EVA_DA_MODEL: "critic" });
    expect(analyst.kind).toBe("offline");
    expect(adversary).toMatchObject({ kind: "openai", model: "critic" });
    server.enqueue(reply.json({ answer: "no" }));
    expect((await adversary.analyze(request)).output).toEqual({ answer: "no" });
    expect(server.requests[0]?.body.model).toBe("critic");

    const keyed = createAdversary({ OPENAI_API_KEY: "sk-analyst", EVA_DA_API_KEY: "sk-da", EVA_LLM_MODEL: "m" });
    expect(keyed).toMatchObject({ kind: "openai", model: "m" });
  });

  it("is named once in the worker's start line: as 'the same' when it is the analyst's model", () => {
    const same = createAnalysts({});
    expect(describeAnalysts(same.analyst, same.adversary)).toMatch(
      /^the offline analyst \S+ \(deterministic simulation; .*\) \(Devil's Advocate: the same\)$/,
    );
    const own = createAnalysts({ EVA_DA_BASE_URL: server.baseURL, EVA_DA_MODEL: "critic" });
    expect(describeAnalysts(own.analyst, own.adversary)).toMatch(
      new RegExp(`^the offline analyst .* \\(Devil's Advocate: critic at ${server.baseURL.replace(/[.]/g, "\\.")}\\)$`),
    );
  });

  it("sends max_tokens (EVA_LLM_MAX_TOKENS, default 8192) and refuses a bad value by name", async () => {
    server.enqueue(reply.json({ answer: "yes" }), reply.json({ answer: "yes" }));
    await createAnalyst({ OPENAI_BASE_URL: server.baseURL }).analyze(request);
    await createAnalyst({ OPENAI_BASE_URL: server.baseURL, EVA_LLM_MAX_TOKENS: "300" }).analyze(request);
    expect(server.requests.map((r) => r.body.max_tokens)).toEqual([8192, 300]);
    expect(() => createAnalyst({ OPENAI_BASE_URL: server.baseURL, EVA_LLM_MAX_TOKENS: "lots" })).toThrow(
      /EVA_LLM_MAX_TOKENS must be a positive whole number/,
    );
  });
});
