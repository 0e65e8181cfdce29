// The contract between the stage engine and whoever analyses: the OpenAI-
// compatible client or the offline analyst. Both take the stage's prompt and
// zod schema and return a schema-valid output with its usage and provenance.
import type { z } from "zod";
import type { Prompt, Rng } from "../stages/types.ts";

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
  /** True when the counts are estimates (the offline analyst), not a server's report. */
  estimated: boolean;
}

export interface Provenance {
  analyst: "openai" | "offline";
  model: string;
  /** sha256 of the prompt (system, user) and the schema name: the cache key with the model. */
  promptHash: string;
  temperature: number;
  seed: number | null;
  /** Requests made, including repairs after invalid output (0 when served from the cache). */
  attempts: number;
  cached: boolean;
  /** The server, for the OpenAI-compatible analyst. */
  baseUrl?: string;
  /** How structured output was requested: json_schema, json_object (fallback) or none (offline). */
  responseFormat?: "json_schema" | "json_object" | "none";
}

export interface AnalysisRequest<T> {
  /** Names the schema for the server and the cache, e.g. "stage_02_idea_validation". */
  schemaName: string;
  schema: z.ZodType<T>;
  prompt: Prompt;
  /** The offline analyst's answer, given a generator seeded by the prompt hash. */
  simulate: (rng: Rng) => T;
  signal?: AbortSignal;
  /** What the caller may still spend: a request that could need more is refused before it is sent. */
  budget?: TokenAllowance;
}

/** Tokens left in the budget a call is charged to, and which budget that is (for the refusal's reason). */
export interface TokenAllowance {
  remaining: number;
  /** e.g. "the phase 2 budget", "the ideation budget of portfolio EVA portfolio". */
  what: string;
}

export interface AnalysisResult<T> {
  output: T;
  usage: LlmUsage;
  provenance: Provenance;
  /** simulation for the offline analyst; assumption for a model's analysis (it is not evidence). */
  epistemic: "simulation" | "assumption";
}

export interface Analyst {
  readonly kind: "openai" | "offline";
  readonly model: string;
  /** The most completion tokens one request may produce (sent as max_tokens); none for the offline analyst. */
  readonly maxCompletionTokens?: number;
  analyze<T>(request: AnalysisRequest<T>): Promise<AnalysisResult<T>>;
}

/** A stored answer for a prompt hash + model, so an unchanged re-run costs no tokens. */
export interface AnalysisCache {
  get(promptHash: string, model: string): Promise<unknown | undefined>;
  put(promptHash: string, model: string, output: unknown, usage: LlmUsage): Promise<void>;
}

/** The analysis could not be completed; `usage` is what the failed attempts cost (to be charged). */
export class AnalysisFailed extends Error {
  readonly usage: LlmUsage;
  readonly attempts: number;
  readonly retryable: boolean;
  constructor(message: string, options: { usage: LlmUsage; attempts: number; retryable: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = "AnalysisFailed";
    this.usage = options.usage;
    this.attempts = options.attempts;
    this.retryable = options.retryable;
  }
}

/**
 * A request was not sent: its estimated prompt plus the most it may complete
 * exceeds what is left of the budget. Not retryable (waiting frees no tokens);
 * `usage` is what earlier attempts of the same analysis cost.
 */
export class TokenBudgetExceeded extends AnalysisFailed {
  readonly needed: { promptTokens: number; completionTokens: number };
  readonly remaining: number;
  readonly budget: string;
  constructor(options: {
    promptTokens: number;
    completionTokens: number;
    allowance: TokenAllowance;
    /** Tokens earlier attempts of this analysis already spent out of the allowance. */
    spent: number;
    usage: LlmUsage;
    attempts: number;
    completionIsMaximum: boolean;
  }) {
    const n = (x: number) => x.toLocaleString("en-US");
    const remaining = options.allowance.remaining - options.spent;
    const completion = options.completionIsMaximum ? "maximum completion" : "completion";
    super(
      `token budget: the call needs up to ${n(options.promptTokens + options.completionTokens)} tokens (estimated prompt ${n(options.promptTokens)} + ${completion} ${n(options.completionTokens)}) but ${options.allowance.what} has ${n(Math.max(remaining, 0))} left`,
      { usage: options.usage, attempts: options.attempts, retryable: false },
    );
    this.name = "TokenBudgetExceeded";
    this.needed = { promptTokens: options.promptTokens, completionTokens: options.completionTokens };
    this.remaining = remaining;
    this.budget = options.allowance.what;
  }
}
