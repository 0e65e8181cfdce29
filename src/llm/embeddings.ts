// Embeddings for search by meaning, through the same OpenAI-compatible API as
// the analyst (POST /embeddings on OPENAI_BASE_URL: OpenAI, Ollama, vLLM, LM
// Studio …). Configured only when EVA_EMBEDDING_MODEL is set and a model server
// is (OPENAI_API_KEY or OPENAI_BASE_URL); otherwise there is no embedder and
// search is keyword-only — nothing here invents vectors offline.
import OpenAI from "openai";
import { OPENAI_BASE_URL } from "./openai-analyst.ts";

export interface Embedder {
  readonly model: string;
  /** One vector per input, in order. */
  embed(inputs: string[]): Promise<number[][]>;
}

export interface EmbedderEnv {
  EVA_EMBEDDING_MODEL?: string | undefined;
  OPENAI_API_KEY?: string | undefined;
  OPENAI_BASE_URL?: string | undefined;
  EVA_LLM_TIMEOUT_MS?: string | undefined;
}

export function createOpenAIEmbedder(options: {
  baseURL?: string;
  apiKey?: string;
  model: string;
  timeoutMs?: number;
}): Embedder {
  // Explicit, so the SDK does not read OPENAI_BASE_URL from process.env behind the caller's back.
  const client = new OpenAI({
    apiKey: options.apiKey ?? "not-needed",
    baseURL: options.baseURL || OPENAI_BASE_URL,
    timeout: options.timeoutMs ?? 60_000,
    maxRetries: 2,
  });
  return {
    model: options.model,
    async embed(inputs: string[]): Promise<number[][]> {
      if (inputs.length === 0) return [];
      const response = await client.embeddings.create({
        model: options.model,
        input: inputs,
        encoding_format: "float",
      });
      const vectors = [...response.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
      if (vectors.length !== inputs.length) {
        throw new Error(`the embedding model returned ${vectors.length} vectors for ${inputs.length} inputs`);
      }
      return vectors;
    },
  };
}

/** The embedder the environment configures, or null (keyword-only search). */
export function createEmbedder(env: EmbedderEnv = process.env): Embedder | null {
  const value = (name: keyof EmbedderEnv) => env[name]?.trim() || undefined;
  const model = value("EVA_EMBEDDING_MODEL");
  if (!model) return null;
  const apiKey = value("OPENAI_API_KEY");
  const baseURL = value("OPENAI_BASE_URL");
  if (!apiKey && !baseURL) {
    throw new Error(
      "EVA_EMBEDDING_MODEL needs a model server: OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (a compatible server)",
    );
  }
  const timeout = value("EVA_LLM_TIMEOUT_MS");
  return createOpenAIEmbedder({
    model,
    ...(apiKey ? { apiKey } : {}),
    ...(baseURL ? { baseURL } : {}),
    ...(timeout ? { timeoutMs: Number(timeout) } : {}),
  });
}
