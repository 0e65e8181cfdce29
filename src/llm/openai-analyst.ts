// The analyst backed by a model: any server that speaks OpenAI's Chat
// Completions API (OpenAI, Ollama, vLLM, LM Studio, OpenRouter). It asks for
// structured output, validates it with the stage's zod schema, feeds the
// problems back for a bounded number of repairs, and accounts for every token.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from "openai/resources/chat/completions";
import { z } from "zod";
import { readValidAnswer, storeAnswer } from "./cache.ts";
import { promptHash, seedFromHash } from "./hash.ts";
import { estimateTokens, formatIssues } from "./offline-analyst.ts";
import { analysisSpan } from "./span.ts";
import type { AnalysisCache, AnalysisRequest, AnalysisResult, Analyst, LlmUsage } from "./types.ts";
import { AnalysisFailed, TokenBudgetExceeded } from "./types.ts";

export const OPENAI_BASE_URL = "https://api.openai.com/v1";

export interface OpenAIAnalystOptions {
  apiKey: string;
  /** The server's API root, e.g. http://localhost:11434/v1 for Ollama. Default: OpenAI. */
  baseURL?: string | undefined;
  model: string;
  /** Default 0.2. */
  temperature?: number | undefined;
  /** Per HTTP request, in ms. Default 60000. */
  timeoutMs?: number | undefined;
  /** Retries of one request after 429, 408/409, 5xx, timeouts and connection errors, with backoff. Default 3. */
  maxRetries?: number | undefined;
  /** Further requests after invalid output (malformed JSON, schema violations). Default 2. */
  maxRepairs?: number | undefined;
  /** The most completion tokens one request may produce (max_tokens), so a budget check can bound a call. Default 8192. */
  maxCompletionTokens?: number | undefined;
  cache?: AnalysisCache | undefined;
}

export const DEFAULT_MAX_COMPLETION_TOKENS = 8192;

export type StructuredOutputMode = "json_schema" | "json_object";

export interface OpenAIAnalyst extends Analyst {
  readonly kind: "openai";
  /** The API root requests go to (without credentials). */
  readonly baseUrl: string;
  /** json_schema until the server rejects it, then json_object for the rest of this analyst's life. */
  readonly responseFormat: StructuredOutputMode;
  readonly maxCompletionTokens: number;
}

const NO_USAGE: LlmUsage = { promptTokens: 0, completionTokens: 0, estimated: false };
/** How many schema problems a repair request lists; the rest are counted. */
const MAX_LISTED_PROBLEMS = 20;

export function createOpenAIAnalyst(options: OpenAIAnalystOptions): OpenAIAnalyst {
  const model = options.model;
  const temperature = options.temperature ?? 0.2;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxRetries = options.maxRetries ?? 3;
  const maxRepairs = options.maxRepairs ?? 2;
  const maxCompletionTokens = options.maxCompletionTokens ?? DEFAULT_MAX_COMPLETION_TOKENS;
  const { cache } = options;
  for (const [name, value] of [
    ["timeoutMs", timeoutMs],
    ["maxRetries", maxRetries],
    ["maxRepairs", maxRepairs],
  ] as const) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
  }
  if (!Number.isInteger(maxCompletionTokens) || maxCompletionTokens < 1) {
    throw new RangeError("maxCompletionTokens must be a positive integer");
  }
  // Explicit, so the SDK does not read OPENAI_BASE_URL from process.env behind the caller's back.
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL || OPENAI_BASE_URL,
    timeout: timeoutMs,
    maxRetries,
  });
  const baseUrl = withoutCredentials(client.baseURL);
  let mode: StructuredOutputMode = "json_schema";

  /**
   * One answer from the server; falls back to json_object once if the server lacks json_schema.
   * `guard` sees the request's estimated prompt tokens before it is sent and may refuse it.
   */
  async function complete(
    request: AnalysisRequest<unknown>,
    seed: number,
    followUps: ChatCompletionMessageParam[],
    guard: (promptTokens: number) => void,
  ): Promise<{ completion: ChatCompletion; messages: ChatCompletionMessageParam[]; used: StructuredOutputMode }> {
    for (;;) {
      const used = mode;
      const schema = jsonSchemaOf(request.schema);
      const system =
        used === "json_schema"
          ? request.prompt.system
          : `${request.prompt.system}\n\nAnswer with one JSON object, and nothing else, that conforms to this JSON Schema:\n${JSON.stringify(schema)}`;
      const messages: ChatCompletionMessageParam[] = [
        { role: "system", content: system },
        { role: "user", content: request.prompt.user },
        ...followUps,
      ];
      guard(estimatePromptTokens(messages, used === "json_schema" ? schema : null));
      const body: ChatCompletionCreateParamsNonStreaming = {
        model,
        messages,
        temperature,
        seed,
        max_tokens: maxCompletionTokens,
        response_format:
          used === "json_schema"
            ? { type: "json_schema", json_schema: { name: request.schemaName, schema, strict: false } }
            : { type: "json_object" },
      };
      try {
        const completion = await client.chat.completions.create(body, request.signal ? { signal: request.signal } : {});
        return { completion, messages, used };
      } catch (error) {
        if (used === "json_schema" && rejectsJsonSchema(error)) {
          mode = "json_object";
          continue;
        }
        throw error;
      }
    }
  }

  return {
    kind: "openai",
    model,
    baseUrl,
    maxCompletionTokens,
    get responseFormat() {
      return mode;
    },
    analyze<T>(request: AnalysisRequest<T>): Promise<AnalysisResult<T>> {
      return analysisSpan(
        "openai",
        model,
        request,
        {
          "server.address": baseUrl,
          "gen_ai.request.temperature": temperature,
          "gen_ai.request.max_tokens": maxCompletionTokens,
        },
        () => analyzeWithModel(request),
      );
    },
  };

  async function analyzeWithModel<T>(request: AnalysisRequest<T>): Promise<AnalysisResult<T>> {
    const hash = promptHash(request.prompt, request.schemaName);
    const seed = seedFromHash(hash);
    const provenance = (attempts: number, cached: boolean, responseFormat?: StructuredOutputMode) => ({
      analyst: "openai" as const,
      model,
      promptHash: hash,
      temperature,
      seed,
      attempts,
      cached,
      baseUrl,
      ...(responseFormat ? { responseFormat } : {}),
    });

    const cachedOutput = await readValidAnswer(cache, hash, model, request.schema);
    if (cachedOutput !== undefined) {
      return { output: cachedOutput, usage: NO_USAGE, provenance: provenance(0, true), epistemic: "assumption" };
    }

    let usage = NO_USAGE;
    let attempts = 0;
    const followUps: ChatCompletionMessageParam[] = [];
    // Every request, repairs included, must fit in what is left: its prompt plus the most it may complete.
    const guard = (promptTokens: number) => {
      const allowance = request.budget;
      if (!allowance) return;
      const spent = usage.promptTokens + usage.completionTokens;
      if (promptTokens + maxCompletionTokens > allowance.remaining - spent) {
        throw new TokenBudgetExceeded({
          promptTokens,
          completionTokens: maxCompletionTokens,
          completionIsMaximum: true,
          allowance,
          spent,
          usage,
          attempts: attempts - 1,
        });
      }
    };
    for (;;) {
      let answer: Awaited<ReturnType<typeof complete>>;
      try {
        attempts++;
        answer = await complete(request as AnalysisRequest<unknown>, seed, followUps, guard);
      } catch (error) {
        if (error instanceof TokenBudgetExceeded) throw error;
        const { retryable, reason } = classify(error, timeoutMs, maxRetries);
        throw new AnalysisFailed(`${model} at ${baseUrl}: ${reason}`, { usage, attempts, retryable, cause: error });
      }
      const { completion, messages, used } = answer;
      const choice = completion.choices[0];
      const content = choice?.message.content ?? null;
      usage = addUsage(usage, usageOf(completion, messages, content));

      const verdict = check(request.schema, content, choice?.finish_reason, choice?.message.refusal);
      if (verdict.ok) {
        await storeAnswer(cache, hash, model, verdict.output, usage);
        return {
          output: verdict.output,
          usage,
          provenance: provenance(attempts, false, used),
          epistemic: "assumption",
        };
      }
      if (attempts > maxRepairs) {
        throw new AnalysisFailed(
          `${model} gave no valid ${request.schemaName} after ${attempts} attempt(s): ${verdict.problems.join("; ")}`,
          { usage, attempts, retryable: false },
        );
      }
      followUps.push(
        { role: "assistant", content: content ?? "" },
        { role: "user", content: repairRequest(request.schemaName, verdict.problems) },
      );
    }
  }
}

type Verdict<T> = { ok: true; output: T } | { ok: false; problems: string[] };

/** Parses and validates one answer; the problems are worded for the model to fix. */
function check<T>(
  schema: z.ZodType<T>,
  content: string | null,
  finishReason: string | undefined,
  refusal: string | null | undefined,
): Verdict<T> {
  if (!content?.trim()) {
    return { ok: false, problems: [refusal ? `the answer was a refusal: ${refusal}` : "the answer was empty"] };
  }
  let value: unknown;
  try {
    value = JSON.parse(stripCodeFence(content));
  } catch (error) {
    const cutOff = finishReason === "length" ? " (it was cut off at the token limit: answer more briefly)" : "";
    return { ok: false, problems: [`the answer is not valid JSON${cutOff}: ${(error as Error).message}`] };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, output: parsed.data };
  const problems = formatIssues(parsed.error.issues);
  if (problems.length > MAX_LISTED_PROBLEMS) {
    const more = problems.length - MAX_LISTED_PROBLEMS;
    return { ok: false, problems: [...problems.slice(0, MAX_LISTED_PROBLEMS), `… and ${more} more`] };
  }
  return { ok: false, problems };
}

function repairRequest(schemaName: string, problems: string[]): string {
  return [
    "Your previous answer cannot be used. Problems (path: message):",
    ...problems.map((p) => `- ${p}`),
    `Reply with the complete, corrected JSON object for ${schemaName} and nothing else.`,
  ].join("\n");
}

/** Local models often wrap JSON in a Markdown fence despite being asked not to. */
function stripCodeFence(text: string): string {
  const fenced = /^\s*```[A-Za-z]*\s*\n([\s\S]*?)\n?\s*```\s*$/.exec(text);
  return fenced?.[1] ?? text;
}

const jsonSchemas = new WeakMap<object, Record<string, unknown>>();

/**
 * The JSON Schema of what the model must write (the schema's input side).
 * Parts JSON Schema cannot express become `{}` (zod still checks them), and
 * `$schema` is dropped: some OpenAI-compatible servers reject unknown keys.
 */
function jsonSchemaOf(schema: z.ZodType<unknown>): Record<string, unknown> {
  let json = jsonSchemas.get(schema);
  if (!json) {
    const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<
      string,
      unknown
    >;
    json = rest;
    jsonSchemas.set(schema, json);
  }
  return json;
}

/** A server without json_schema support answers 400 (some 422) naming response_format or json_schema. */
function rejectsJsonSchema(error: unknown): boolean {
  if (!(error instanceof APIError) || (error.status !== 400 && error.status !== 422)) return false;
  const text = `${error.message} ${error.param ?? ""} ${JSON.stringify(error.error ?? null)}`;
  return /response_format|json_schema/i.test(text);
}

/** What the engine should do about a failed request (after the client's own retries). */
function classify(error: unknown, timeoutMs: number, maxRetries: number): { retryable: boolean; reason: string } {
  const tries = `${maxRetries + 1} tr${maxRetries === 0 ? "y" : "ies"}`;
  if (error instanceof APIUserAbortError) return { retryable: true, reason: "the request was aborted" };
  if (error instanceof APIConnectionTimeoutError) {
    return { retryable: true, reason: `timed out after ${timeoutMs} ms (${tries})` };
  }
  if (error instanceof APIConnectionError) {
    return { retryable: true, reason: `could not connect (${tries}): ${describeCause(error)}` };
  }
  if (error instanceof APIError && typeof error.status === "number") {
    const status = error.status;
    if (status === 429) {
      // A spent quota is not a rate limit: waiting will not help.
      const exhausted = error.code === "insufficient_quota";
      return { retryable: !exhausted, reason: `${error.message} (${exhausted ? "quota exhausted" : tries})` };
    }
    if (status === 408 || status === 409 || status >= 500)
      return { retryable: true, reason: `${error.message} (${tries})` };
    const hint =
      status === 401 || status === 403
        ? " (check OPENAI_API_KEY)"
        : status === 404
          ? " (check EVA_LLM_MODEL and OPENAI_BASE_URL)"
          : "";
    return { retryable: false, reason: `${error.message}${hint}` };
  }
  return { retryable: false, reason: error instanceof Error ? error.message : String(error) };
}

function describeCause(error: Error): string {
  const cause = error.cause;
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : "";
    return `${cause.message}${inner}`;
  }
  return error.message;
}

/** A request's prompt tokens before it is sent: its messages and, with json_schema, the schema it carries. */
function estimatePromptTokens(messages: ChatCompletionMessageParam[], schema: Record<string, unknown> | null): number {
  const text = messages.map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content))).join("");
  return estimateTokens(text) + (schema ? estimateTokens(JSON.stringify(schema)) : 0);
}

/** The server's token counts, or an estimate (flagged) when it reports none. */
function usageOf(completion: ChatCompletion, messages: ChatCompletionMessageParam[], content: string | null): LlmUsage {
  if (completion.usage) {
    return {
      promptTokens: completion.usage.prompt_tokens,
      completionTokens: completion.usage.completion_tokens,
      estimated: false,
    };
  }
  const promptText = messages
    .map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content)))
    .join("");
  return { promptTokens: estimateTokens(promptText), completionTokens: estimateTokens(content ?? ""), estimated: true };
}

function addUsage(a: LlmUsage, b: LlmUsage): LlmUsage {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    completionTokens: a.completionTokens + b.completionTokens,
    estimated: a.estimated || b.estimated,
  };
}

function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return url;
  }
}
