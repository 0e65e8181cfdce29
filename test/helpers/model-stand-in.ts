// A model behind the fake OpenAI server (test/helpers/fake-openai-server.ts)
// that answers every stage schema-valid: the analyst under test is the real
// OpenAI-compatible client, wrapped only to note each request's offline
// simulation by its prompt hash; the server, given the request over HTTP,
// answers what that simulation gives for the same hash and seed (the offline
// analyst's answer, sent as a real completion). `decide` may instead fail a
// request (throw: HTTP 500, a retryable transport failure) or hold it (return
// a promise) — per venture, by the venture's name in the prompt.
import { promptHash, seedFromHash } from "../../src/llm/hash.ts";
import { createOpenAIAnalyst } from "../../src/llm/openai-analyst.ts";
import { createRng } from "../../src/llm/rng.ts";
import type { Analyst } from "../../src/llm/types.ts";
import type { Rng } from "../../src/stages/types.ts";
import { type ChatBody, type FakeOpenAIServer, reply } from "./fake-openai-server.ts";

export interface StandIn {
  analyst: Analyst;
  /** Requests whose prompt names `text` (a venture's name), as the server received them; only `schema…` ones if given. */
  requestsFor(text: string, schemaPrefix?: string): number;
}

export function modelStandIn(
  server: FakeOpenAIServer,
  decide: (user: string, body: ChatBody) => "answer" | "fail" | Promise<void> = () => "answer",
): StandIn {
  const answers = new Map<string, (rng: Rng) => unknown>();
  const real = createOpenAIAnalyst({
    apiKey: "test-key",
    baseURL: server.baseURL,
    model: "stand-in",
    // One HTTP request per call: the breakers count calls, not the client's own retries.
    maxRetries: 0,
    timeoutMs: 120_000,
    maxRepairs: 0,
  });
  const analyst = {
    kind: "openai" as const,
    model: real.model,
    baseUrl: real.baseUrl,
    maxCompletionTokens: real.maxCompletionTokens,
    analyze: ((request) => {
      answers.set(promptHash(request.prompt, request.schemaName), request.simulate as (rng: Rng) => unknown);
      return real.analyze(request);
    }) as Analyst["analyze"],
  };
  server.setFallback(
    reply.respond(async (body) => {
      const system = body.messages[0]?.content ?? "";
      const user = body.messages[1]?.content ?? "";
      const name = body.response_format?.json_schema?.name ?? "";
      const verdict = decide(user, body);
      if (verdict === "fail") throw new Error("upstream unavailable");
      if (verdict !== "answer") await verdict;
      const hash = promptHash({ system, user }, name);
      const simulate = answers.get(hash);
      if (!simulate) throw new Error(`no request noted for ${name}`);
      return simulate(createRng(seedFromHash(hash)));
    }),
  );
  return {
    analyst,
    requestsFor: (text, schemaPrefix = "") =>
      server.requests.filter(
        (r) =>
          (r.body.messages?.[1]?.content ?? "").includes(text) &&
          (r.body.response_format?.json_schema?.name ?? "").startsWith(schemaPrefix),
      ).length,
  };
}
