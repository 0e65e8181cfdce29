// Where analysts keep answers by prompt hash and model, so an unchanged re-run
// costs no tokens: the database (shared by every worker) or memory (tests).
import { sql } from "kysely";
import type { z } from "zod";
import type { Database } from "../db/client.ts";
import type { AnalysisCache, LlmUsage } from "./types.ts";

/**
 * The cache in eva_private.analysis_cache, read and written through its two
 * functions by `service`, a connection acting as eva_service (connect(url, { role: "eva_service" })).
 */
export function createDatabaseCache(service: Database): AnalysisCache {
  return {
    async get(promptHash, model) {
      const { rows } = await sql<{ output: unknown }>`
        select eva_private.fn_analysis_cache_get(${promptHash}, ${model}) as output`.execute(service);
      const output = rows[0]?.output;
      return output === null ? undefined : output;
    },
    async put(promptHash, model, output, usage) {
      await sql`select eva_private.fn_analysis_cache_put(${promptHash}, ${model}, ${JSON.stringify(output)}::jsonb,
        ${tokens(usage.promptTokens)}, ${tokens(usage.completionTokens)})`.execute(service);
    },
  };
}

export interface MemoryCache extends AnalysisCache {
  /** Answers stored. */
  readonly size: number;
}

/** An in-process cache with the database cache's rules: the first answer for a key stays; callers get copies. */
export function createMemoryCache(): MemoryCache {
  const answers = new Map<string, unknown>();
  const key = (promptHash: string, model: string) => `${model}\u0000${promptHash}`;
  return {
    get size() {
      return answers.size;
    },
    async get(promptHash, model) {
      const output = answers.get(key(promptHash, model));
      return output === undefined ? undefined : structuredClone(output);
    },
    async put(promptHash, model, output) {
      const k = key(promptHash, model);
      // Same round trip as jsonb, so memory and database caches hand back the same shapes.
      if (!answers.has(k)) answers.set(k, JSON.parse(JSON.stringify(output)));
    },
  };
}

/** The table counts whole, non-negative tokens. */
function tokens(n: number): number {
  return Math.max(0, Math.round(n));
}

/**
 * The cached answer, if there is one and it still passes the schema. A stored
 * answer that fails (the schema changed under an unchanged name) is treated as
 * absent rather than handed to the engine.
 */
export async function readValidAnswer<T>(
  cache: AnalysisCache | undefined,
  promptHash: string,
  model: string,
  schema: z.ZodType<T>,
): Promise<T | undefined> {
  if (!cache) return undefined;
  const stored = await cache.get(promptHash, model);
  if (stored === undefined) return undefined;
  const parsed = schema.safeParse(stored);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Stores a paid-for answer. A failed write must not lose the answer (the
 * engine would pay for it again), so it becomes a process warning instead.
 */
export async function storeAnswer(
  cache: AnalysisCache | undefined,
  promptHash: string,
  model: string,
  output: unknown,
  usage: LlmUsage,
): Promise<void> {
  if (!cache) return;
  try {
    await cache.put(promptHash, model, output, usage);
  } catch (error) {
    process.emitWarning(`analysis cache write failed for ${model} ${promptHash}: ${String(error)}`, {
      code: "EVA_ANALYSIS_CACHE",
    });
  }
}
