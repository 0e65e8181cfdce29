// The OpenAI-compatible analyst against a real local HTTP server: structured
// output, repairs, the openai package's retries and timeouts, the json_object
// fallback, usage, provenance and the cache.
import { APIConnectionTimeoutError, APIUserAbortError } from "openai";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createMemoryCache } from "../../src/llm/cache.ts";
import { promptHash, seedFromHash } from "../../src/llm/hash.ts";
import { createOpenAIAnalyst, type OpenAIAnalystOptions } from "../../src/llm/openai-analyst.ts";
import { AnalysisFailed, type AnalysisRequest } from "../../src/llm/types.ts";
import { type FakeOpenAIServer, reply, startFakeOpenAIServer } from "../helpers/fake-openai-server.ts";

const verdictSchema = z.object({
  verdict: z.enum(["go", "kill"]),
  score: z.number().int().min(0).max(100),
  reasons: z.array(z.string().min(1)).min(1),
  risk: z.object({ level: z.enum(["low", "high"]), note: z.string() }),
});
type Verdict = z.infer<typeof verdictSchema>;

const valid: Verdict = {
  verdict: "go",
  score: 72,
  reasons: ["paying customers exist"],
  risk: { level: "low", note: "" },
};

function verdictRequest(user = "Assess LedgerLoop, an invoice reconciliation assistant."): AnalysisRequest<Verdict> {
  return {
    schemaName: "test_verdict",
    schema: verdictSchema,
    prompt: { system: "You are a venture analyst. Answer in JSON.", user },
    simulate: () => valid,
  };
}

let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startFakeOpenAIServer();
});
afterEach(() => server.reset());
afterAll(() => server.close());

function analyst(options: Partial<OpenAIAnalystOptions> = {}) {
  return createOpenAIAnalyst({ apiKey: "test-key", baseURL: server.baseURL, model: "test-model", ...options });
}

/** Catches the AnalysisFailed a promise must reject with. */
async function failure(promise: Promise<unknown>): Promise<AnalysisFailed> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AnalysisFailed);
  return error as AnalysisFailed;
}

const lastMessages = () => server.requests.at(-1)?.body.messages ?? [];

describe("OpenAI-compatible analyst", () => {
  it("returns a schema-valid answer with the server's usage and full provenance", async () => {
    server.enqueue(reply.json(valid, { prompt_tokens: 120, completion_tokens: 30 }));
    const request = verdictRequest();
    const result = await analyst().analyze(request);

    const hash = promptHash(request.prompt, "test_verdict");
    expect(result).toEqual({
      output: valid,
      usage: { promptTokens: 120, completionTokens: 30, estimated: false },
      provenance: {
        analyst: "openai",
        model: "test-model",
        promptHash: hash,
        temperature: 0.2,
        seed: seedFromHash(hash),
        attempts: 1,
        cached: false,
        baseUrl: server.baseURL,
        responseFormat: "json_schema",
      },
      epistemic: "assumption",
    });

    expect(server.requests).toHaveLength(1);
    const sent = server.requests[0];
    expect(sent?.url).toBe("/v1/chat/completions");
    expect(sent?.headers.authorization).toBe("Bearer test-key");
    expect(sent?.body).toMatchObject({
      model: "test-model",
      temperature: 0.2,
      seed: seedFromHash(hash),
      messages: [
        { role: "system", content: request.prompt.system },
        { role: "user", content: request.prompt.user },
      ],
      response_format: { type: "json_schema", json_schema: { name: "test_verdict", strict: false } },
    });
    const schema = sent?.body.response_format?.json_schema?.schema;
    expect(schema).toMatchObject({
      type: "object",
      required: ["verdict", "score", "reasons", "risk"],
      properties: { score: { type: "integer", minimum: 0, maximum: 100 }, verdict: { enum: ["go", "kill"] } },
    });
    expect(schema).not.toHaveProperty("$schema");
  });

  it("repairs malformed JSON by sending the answer back with the parse error", async () => {
    const broken = '{"verdict": "go", "score": 72, "reasons": [';
    server.enqueue(
      reply.content(broken, { usage: { prompt_tokens: 100, completion_tokens: 10 }, finishReason: "length" }),
      reply.json(valid, { prompt_tokens: 140, completion_tokens: 30 }),
    );
    const result = await analyst().analyze(verdictRequest());

    expect(result.output).toEqual(valid);
    expect(result.usage).toEqual({ promptTokens: 240, completionTokens: 40, estimated: false });
    expect(result.provenance.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
    const messages = lastMessages();
    expect(messages).toHaveLength(4);
    expect(messages[2]).toEqual({ role: "assistant", content: broken });
    expect(messages[3]?.role).toBe("user");
    expect(messages[3]?.content).toContain("not valid JSON (it was cut off at the token limit");
  });

  it("repairs a schema violation, naming each failing path to the model", async () => {
    const wrong = { verdict: "maybe", score: 150, reasons: [""], risk: { level: "low" } };
    server.enqueue(reply.json(wrong), reply.json(valid));
    const result = await analyst().analyze(verdictRequest());

    expect(result.output).toEqual(valid);
    expect(result.provenance.attempts).toBe(2);
    const repair = lastMessages()[3]?.content ?? "";
    expect(lastMessages()[2]?.content).toBe(JSON.stringify(wrong));
    expect(repair).toMatch(/^- verdict: /m);
    expect(repair).toMatch(/^- score: .*100/m);
    expect(repair).toMatch(/^- reasons\[0\]: /m);
    expect(repair).toMatch(/^- risk\.note: /m);
    expect(repair).toContain("test_verdict");
  });

  it("accepts JSON wrapped in a Markdown code fence", async () => {
    server.enqueue(reply.content(`\`\`\`json\n${JSON.stringify(valid, null, 2)}\n\`\`\``));
    const result = await analyst().analyze(verdictRequest());
    expect(result.output).toEqual(valid);
    expect(result.provenance.attempts).toBe(1);
  });

  it("gives up after maxRepairs, charging the usage of every attempt", async () => {
    server.setFallback(reply.json({ verdict: "go" }, { prompt_tokens: 100, completion_tokens: 20 }));
    const error = await failure(analyst({ maxRepairs: 2 }).analyze(verdictRequest()));

    expect(server.requests).toHaveLength(3);
    expect(error.retryable).toBe(false);
    expect(error.attempts).toBe(3);
    expect(error.usage).toEqual({ promptTokens: 300, completionTokens: 60, estimated: false });
    expect(error.message).toContain("score: ");
    // Each repair carries the whole conversation so far.
    expect(server.requests.map((r) => r.body.messages.length)).toEqual([2, 4, 6]);
  });

  it("treats an empty answer or a refusal as invalid output", async () => {
    server.enqueue(reply.content(null, { refusal: "I cannot help with that." }));
    const error = await failure(analyst({ maxRepairs: 0 }).analyze(verdictRequest()));
    expect(server.requests).toHaveLength(1);
    expect(error.message).toContain("refusal: I cannot help with that.");
    expect(error.retryable).toBe(false);
  });

  it("retries a 429 after the server's retry-after, not the default backoff", async () => {
    server.enqueue(reply.rateLimited(0.05), reply.json(valid, { prompt_tokens: 50, completion_tokens: 10 }));
    const result = await analyst().analyze(verdictRequest());

    expect(server.requests).toHaveLength(2);
    expect(server.requests.map((r) => r.headers["x-stainless-retry-count"])).toEqual(["0", "1"]);
    const gap = (server.requests[1]?.at ?? 0) - (server.requests[0]?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(45);
    // The default backoff would wait at least 375 ms (0.5 s minus up to 25% jitter).
    expect(gap).toBeLessThan(350);
    // The client's retries are not analysis attempts, and the 429 cost nothing.
    expect(result.provenance.attempts).toBe(1);
    expect(result.usage).toEqual({ promptTokens: 50, completionTokens: 10, estimated: false });
  });

  it("fails retryably after 1 + maxRetries requests when the server keeps answering 500", async () => {
    // retry-after-ms (which the openai package honours) keeps the test fast; the backoff itself is tested below.
    server.setFallback(reply.error(500, "The server had an error", { headers: { "retry-after-ms": "1" } }));
    const error = await failure(analyst({ maxRetries: 3 }).analyze(verdictRequest()));

    expect(server.requests).toHaveLength(4);
    expect(error.retryable).toBe(true);
    expect(error.attempts).toBe(1);
    expect(error.usage).toEqual({ promptTokens: 0, completionTokens: 0, estimated: false });
    expect(error.message).toContain("500 The server had an error");
  });

  it("keeps the usage of earlier attempts when a later request fails", async () => {
    server.enqueue(reply.json({ verdict: "go" }, { prompt_tokens: 100, completion_tokens: 20 }));
    server.setFallback(reply.error(503, "overloaded", { headers: { "retry-after-ms": "1" } }));
    const error = await failure(analyst({ maxRetries: 1 }).analyze(verdictRequest()));

    expect(server.requests).toHaveLength(3);
    expect(error.retryable).toBe(true);
    expect(error.attempts).toBe(2);
    expect(error.usage).toEqual({ promptTokens: 100, completionTokens: 20, estimated: false });
  });

  it("does not retry a 401 and says what to check", async () => {
    server.setFallback(reply.error(401, "Incorrect API key provided", { code: "invalid_api_key" }));
    const error = await failure(analyst().analyze(verdictRequest()));

    expect(server.requests).toHaveLength(1);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("check OPENAI_API_KEY");
  });

  it("does not call a spent quota retryable, though the client retried the 429", async () => {
    server.setFallback(
      reply.error(429, "You exceeded your current quota", {
        code: "insufficient_quota",
        headers: { "retry-after-ms": "1" },
      }),
    );
    const error = await failure(analyst({ maxRetries: 1 }).analyze(verdictRequest()));
    expect(server.requests).toHaveLength(2);
    expect(error.retryable).toBe(false);
  });

  it("times out a hanging request, retries it after a backoff, then fails retryably", async () => {
    server.setFallback(reply.hang());
    const error = await failure(analyst({ timeoutMs: 50, maxRetries: 1 }).analyze(verdictRequest()));

    expect(server.requests).toHaveLength(2);
    expect(error.retryable).toBe(true);
    expect(error.cause).toBeInstanceOf(APIConnectionTimeoutError);
    expect(error.message).toContain("timed out after 50 ms (2 tries)");
    // 50 ms timeout, then the default backoff of 375-500 ms before the retry.
    const gap = (server.requests[1]?.at ?? 0) - (server.requests[0]?.at ?? 0);
    expect(gap).toBeGreaterThanOrEqual(50 + 370);
  });

  it("succeeds when the retry after a timeout is answered", async () => {
    server.enqueue(reply.hang(), reply.json(valid));
    const result = await analyst({ timeoutMs: 50, maxRetries: 1 }).analyze(verdictRequest());
    expect(result.output).toEqual(valid);
    expect(server.requests).toHaveLength(2);
    expect(result.provenance.attempts).toBe(1);
  });

  it("stops when the caller aborts", async () => {
    server.setFallback(reply.hang());
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const error = await failure(
      analyst({ timeoutMs: 5_000 }).analyze({ ...verdictRequest(), signal: controller.signal }),
    );
    expect(error.cause).toBeInstanceOf(APIUserAbortError);
    expect(server.requests).toHaveLength(1);
  });

  it("falls back to json_object with the schema in the prompt when the server rejects json_schema", async () => {
    server.supportsJsonSchema = false;
    server.enqueue(reply.json(valid), reply.json({ ...valid, score: 10 }));
    const a = analyst();
    const result = await a.analyze(verdictRequest());

    expect(result.output).toEqual(valid);
    expect(result.provenance.responseFormat).toBe("json_object");
    expect(result.provenance.attempts).toBe(1);
    expect(a.responseFormat).toBe("json_object");
    expect(server.requests.map((r) => r.body.response_format?.type)).toEqual(["json_schema", "json_object"]);
    const system = server.requests[1]?.body.messages[0]?.content ?? "";
    expect(system).toContain("You are a venture analyst.");
    expect(system).toContain("JSON Schema");
    expect(system).toContain('"maximum":100');

    // The analyst remembers: the next analysis goes straight to json_object.
    const second = await a.analyze(verdictRequest("Assess StallSwap."));
    expect(second.provenance.responseFormat).toBe("json_object");
    expect(server.requests).toHaveLength(3);
    expect(server.requests[2]?.body.response_format?.type).toBe("json_object");
  });

  it("does not fall back on a 400 about something else", async () => {
    server.setFallback(reply.error(400, "Invalid value for 'temperature'", { param: "temperature" }));
    const error = await failure(analyst().analyze(verdictRequest()));
    expect(server.requests).toHaveLength(1);
    expect(error.retryable).toBe(false);
  });

  it("serves an identical request from the cache without calling the server", async () => {
    const cache = createMemoryCache();
    server.enqueue(reply.json(valid, { prompt_tokens: 100, completion_tokens: 20 }));
    const first = await analyst({ cache }).analyze(verdictRequest());
    const second = await analyst({ cache }).analyze(verdictRequest());

    expect(server.requests).toHaveLength(1);
    expect(first.provenance.cached).toBe(false);
    expect(second.output).toEqual(valid);
    expect(second.usage).toEqual({ promptTokens: 0, completionTokens: 0, estimated: false });
    expect(second.provenance).toMatchObject({
      cached: true,
      attempts: 0,
      promptHash: first.provenance.promptHash,
      model: "test-model",
    });
    expect(second.epistemic).toBe("assumption");

    // Another prompt, or another model, is another key.
    server.enqueue(reply.json(valid), reply.json(valid));
    await analyst({ cache }).analyze(verdictRequest("Assess StallSwap."));
    await analyst({ cache, model: "other-model" }).analyze(verdictRequest());
    expect(server.requests).toHaveLength(3);
  });

  it("ignores a cached answer that no longer passes the schema", async () => {
    const cache = createMemoryCache();
    const request = verdictRequest();
    await cache.put(
      promptHash(request.prompt, request.schemaName),
      "test-model",
      { verdict: "go" },
      {
        promptTokens: 1,
        completionTokens: 1,
        estimated: false,
      },
    );
    server.enqueue(reply.json(valid));
    const result = await analyst({ cache }).analyze(request);
    expect(result.provenance.cached).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it("does not cache failures", async () => {
    const cache = createMemoryCache();
    server.enqueue(reply.json({ verdict: "go" }));
    await failure(analyst({ cache, maxRepairs: 0 }).analyze(verdictRequest()));
    expect(cache.size).toBe(0);
  });
});
