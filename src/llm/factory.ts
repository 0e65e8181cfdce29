// Chooses EVA's analyst from the environment: a model behind an OpenAI-
// compatible API when one is configured, else the offline analyst.
import { createOfflineAnalyst } from "./offline-analyst.ts";
import { createOpenAIAnalyst, OPENAI_BASE_URL } from "./openai-analyst.ts";
import type { AnalysisCache, Analyst } from "./types.ts";

export const DEFAULT_MODEL = "gpt-4o-mini";

export interface AnalystEnv {
  /** offline | openai: force a choice. Unset: openai when a key or base URL is set. */
  EVA_ANALYST?: string | undefined;
  OPENAI_API_KEY?: string | undefined;
  OPENAI_BASE_URL?: string | undefined;
  /** Default gpt-4o-mini. */
  EVA_LLM_MODEL?: string | undefined;
  EVA_LLM_TIMEOUT_MS?: string | undefined;
  /** The most completion tokens one request may produce (max_tokens). Default 8192. */
  EVA_LLM_MAX_TOKENS?: string | undefined;
  /** The Devil's Advocate's own model, server and key; each unset falls back to the analyst's. */
  EVA_DA_MODEL?: string | undefined;
  EVA_DA_BASE_URL?: string | undefined;
  EVA_DA_API_KEY?: string | undefined;
  /** off: answer every request afresh (no cache reads or writes). */
  EVA_LLM_CACHE?: string | undefined;
}

export function createAnalyst(
  env: AnalystEnv = process.env,
  options: { cache?: AnalysisCache | undefined } = {},
): Analyst {
  const value = (name: keyof AnalystEnv) => env[name]?.trim() || undefined;
  const cacheSetting = value("EVA_LLM_CACHE")?.toLowerCase();
  if (cacheSetting !== undefined && cacheSetting !== "on" && cacheSetting !== "off") {
    throw new Error(`EVA_LLM_CACHE must be on or off, not "${env.EVA_LLM_CACHE}"`);
  }
  const cache = cacheSetting === "off" ? undefined : options.cache;
  const apiKey = value("OPENAI_API_KEY");
  const baseURL = value("OPENAI_BASE_URL");

  const choice = value("EVA_ANALYST")?.toLowerCase() ?? (apiKey || baseURL ? "openai" : "offline");
  if (choice === "offline") return createOfflineAnalyst({ cache });
  if (choice !== "openai") throw new Error(`EVA_ANALYST must be offline or openai, not "${env.EVA_ANALYST}"`);

  if (!apiKey && !baseURL) {
    throw new Error("EVA_ANALYST=openai needs OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (a compatible server)");
  }
  const timeout = value("EVA_LLM_TIMEOUT_MS");
  const timeoutMs = timeout === undefined ? undefined : Number(timeout);
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) {
    throw new Error(`EVA_LLM_TIMEOUT_MS must be a positive whole number of milliseconds, not "${timeout}"`);
  }
  const maxTokens = value("EVA_LLM_MAX_TOKENS");
  const maxCompletionTokens = maxTokens === undefined ? undefined : Number(maxTokens);
  if (maxCompletionTokens !== undefined && !(Number.isInteger(maxCompletionTokens) && maxCompletionTokens > 0)) {
    throw new Error(`EVA_LLM_MAX_TOKENS must be a positive whole number of tokens, not "${maxTokens}"`);
  }
  return createOpenAIAnalyst({
    // Local servers (Ollama, vLLM, LM Studio) ignore the key, but the client insists on one.
    apiKey: apiKey ?? "not-needed",
    baseURL: baseURL ?? OPENAI_BASE_URL,
    model: value("EVA_LLM_MODEL") ?? DEFAULT_MODEL,
    timeoutMs,
    maxCompletionTokens,
    cache,
  });
}

/**
 * The Devil's Advocate (spec §7.5): an analyst of its own, so the adversary can
 * be a different model (or server) from the one whose work it reviews.
 * EVA_DA_MODEL, EVA_DA_BASE_URL and EVA_DA_API_KEY each fall back to the
 * analyst's EVA_LLM_MODEL, OPENAI_BASE_URL and OPENAI_API_KEY; a DA server or
 * key of its own makes it a model even when the analyst is offline.
 */
export function createAdversary(
  env: AnalystEnv = process.env,
  options: { cache?: AnalysisCache | undefined } = {},
): Analyst {
  const own = (name: "EVA_DA_MODEL" | "EVA_DA_BASE_URL" | "EVA_DA_API_KEY") => env[name]?.trim() || undefined;
  const apiKey = own("EVA_DA_API_KEY");
  const baseURL = own("EVA_DA_BASE_URL");
  const model = own("EVA_DA_MODEL");
  return createAnalyst(
    {
      ...env,
      ...(apiKey ? { OPENAI_API_KEY: apiKey } : {}),
      ...(baseURL ? { OPENAI_BASE_URL: baseURL } : {}),
      ...(model ? { EVA_LLM_MODEL: model } : {}),
      ...(apiKey || baseURL ? { EVA_ANALYST: "openai" } : {}),
    },
    options,
  );
}

/** The analyst and the Devil's Advocate a worker or CLI command runs stages with. */
export function createAnalysts(
  env: AnalystEnv = process.env,
  options: { cache?: AnalysisCache | undefined } = {},
): { analyst: Analyst; adversary: Analyst } {
  return { analyst: createAnalyst(env, options), adversary: createAdversary(env, options) };
}

/** One line for the CLI: which analyst answers, and where. */
export function describeAnalyst(analyst: Analyst): string {
  if (analyst.kind === "offline") {
    return `offline analyst ${analyst.model} (deterministic simulation; set OPENAI_API_KEY or OPENAI_BASE_URL to use a model)`;
  }
  const baseUrl = "baseUrl" in analyst && typeof analyst.baseUrl === "string" ? analyst.baseUrl : undefined;
  return baseUrl ? `${analyst.model} at ${baseUrl}` : analyst.model;
}

/** "the <analyst> (Devil's Advocate: <its model>)", the adversary named once, as "the same" when it is the analyst's. */
export function describeAnalysts(analyst: Analyst, adversary: Analyst): string {
  const described = describeAnalyst(analyst);
  const other = describeAnalyst(adversary);
  return `the ${described} (Devil's Advocate: ${other === described ? "the same" : other})`;
}
