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
