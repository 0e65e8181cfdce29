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
  return createOpenAIAnalyst({
    // Local servers (Ollama, vLLM, LM Studio) ignore the key, but the client insists on one.
    apiKey: apiKey ?? "not-needed",
    baseURL: baseURL ?? OPENAI_BASE_URL,
    model: value("EVA_LLM_MODEL") ?? DEFAULT_MODEL,
    timeoutMs,
    cache,
  });
}

/** One line for the CLI: which analyst answers, and where. */
export function describeAnalyst(analyst: Analyst): string {
  if (analyst.kind === "offline") {
    return `offline analyst ${analyst.model} (deterministic simulation; set OPENAI_API_KEY or OPENAI_BASE_URL to use a model)`;
  }
  const baseUrl = "baseUrl" in analyst && typeof analyst.baseUrl === "string" ? analyst.baseUrl : undefined;
  return baseUrl ? `${analyst.model} at ${baseUrl}` : analyst.model;
}
