// search_embed: a search document's embedding (queued by eva_private.fn_search_put
// only where pgvector is installed). With no embedding model configured
// (EVA_EMBEDDING_MODEL) it does nothing: search stays keyword-only.
import type { Task } from "graphile-worker";
import { z } from "zod";
import type { Database } from "../db/client.ts";
import { embedDocuments } from "../intelligence/search.ts";
import { createEmbedder, type Embedder } from "../llm/embeddings.ts";

const payload = z.object({ documentId: z.coerce.number().int().positive() });

export function searchEmbedTasks(deps: { db: Database; embedder?: Embedder | null }): { search_embed: Task } {
  let embedder: Embedder | null | undefined = deps.embedder;
  return {
    search_embed: async (raw) => {
      const { documentId } = payload.parse(raw);
      embedder ??= createEmbedder();
      if (!embedder) return;
      await embedDocuments(deps.db, embedder, [documentId]);
    },
  };
}
