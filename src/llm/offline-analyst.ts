// The analyst EVA uses with no model configured: each stage's own simulation,
// seeded by the prompt hash, so the same prompt always yields the same
// schema-valid answer. Its output is labelled a simulation, never evidence.
import type { z } from "zod";
import { readValidAnswer, storeAnswer } from "./cache.ts";
import { promptHash, seedFromHash } from "./hash.ts";
import { createRng } from "./rng.ts";
import { analysisSpan } from "./span.ts";
import type { AnalysisCache, AnalysisRequest, AnalysisResult, Analyst, LlmUsage } from "./types.ts";
import { AnalysisFailed, TokenBudgetExceeded } from "./types.ts";

export const OFFLINE_MODEL = "eva-offline-analyst-v1";

const NO_USAGE: LlmUsage = { promptTokens: 0, completionTokens: 0, estimated: false };

export interface OfflineAnalystOptions {
  cache?: AnalysisCache | undefined;
}

export function createOfflineAnalyst(options: OfflineAnalystOptions = {}): Analyst {
  const { cache } = options;
  return {
    kind: "offline",
    model: OFFLINE_MODEL,
    analyze<T>(request: AnalysisRequest<T>): Promise<AnalysisResult<T>> {
      return analysisSpan("eva.offline", OFFLINE_MODEL, request, {}, () => analyzeOffline(request));
    },
  };

  async function analyzeOffline<T>(request: AnalysisRequest<T>): Promise<AnalysisResult<T>> {
    const hash = promptHash(request.prompt, request.schemaName);
    const seed = seedFromHash(hash);
    const provenance = (attempts: number, cached: boolean) =>
      ({
        analyst: "offline",
        model: OFFLINE_MODEL,
        promptHash: hash,
        temperature: 0,
        seed,
        attempts,
        cached,
        responseFormat: "none",
      }) as const;

    const cachedOutput = await readValidAnswer(cache, hash, OFFLINE_MODEL, request.schema);
    if (cachedOutput !== undefined) {
      return { output: cachedOutput, usage: NO_USAGE, provenance: provenance(0, true), epistemic: "simulation" };
    }

    const simulated = request.simulate(createRng(seed));
    const parsed = request.schema.safeParse(simulated);
    if (!parsed.success) {
      throw new AnalysisFailed(
        `offline simulation for ${request.schemaName} fails its own schema (a bug in the stage's simulate): ${formatIssues(parsed.error.issues).join("; ")}`,
        { usage: NO_USAGE, attempts: 1, retryable: false, cause: parsed.error },
      );
    }
    const usage: LlmUsage = {
      promptTokens: estimateTokens(request.prompt.system) + estimateTokens(request.prompt.user),
      completionTokens: estimateTokens(JSON.stringify(parsed.data)),
      estimated: true,
    };
    // The same rule as a model's call: what it costs must fit in what is left (its size is known here).
    if (request.budget && usage.promptTokens + usage.completionTokens > request.budget.remaining) {
      throw new TokenBudgetExceeded({
        promptTokens: usage.promptTokens,
        completionTokens: usage.completionTokens,
        completionIsMaximum: false,
        allowance: request.budget,
        spent: 0,
        usage: NO_USAGE,
        attempts: 0,
      });
    }
    await storeAnswer(cache, hash, OFFLINE_MODEL, parsed.data, usage);
    return { output: parsed.data, usage, provenance: provenance(1, false), epistemic: "simulation" };
  }
}

/** A rough token count (about four characters a token for English and JSON). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Zod issues as "path: message" lines, the path written as in code (`a.b[0].c`, `(root)` for the whole value). */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else {
      const name = String(part);
      out += /^[A-Za-z_$][\w$]*$/.test(name) ? (out ? `.${name}` : name) : `[${JSON.stringify(name)}]`;
    }
  }
  return out || "(root)";
}
