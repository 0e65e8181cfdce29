// eva search: every venture's names, briefs, current artifacts and learnings,
// found by their words (full-text + trigram, eva.fn_search), and by meaning
// where the database has pgvector and EVA_EMBEDDING_MODEL names a model.
import type { Command } from "commander";
import { sql } from "kysely";
import { type Database, withRole } from "../../db/client.ts";
import { embeddingsAvailable, embedMissing, searchVentures } from "../../intelligence/search.ts";
import { createEmbedder } from "../../llm/embeddings.ts";
import { withSession } from "../database.ts";
import { printJson, printTable, progress, UserError } from "../output.ts";
import { namedVenture } from "../venture-ref.ts";
import { summaryOf } from "./index.ts";

interface SearchOptions {
  venture?: string;
  stage?: string;
  limit?: string;
  json?: boolean;
  reindex?: boolean;
  embed?: boolean;
}

function wholeNumber(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UserError(`${flag} must be a whole number from ${min} to ${max}, not "${value}"`, 2);
  return n;
}

async function search(words: string[], options: SearchOptions): Promise<void> {
  const query = words.join(" ").trim();
  const stage = wholeNumber(options.stage, "--stage", 0, 25);
  const limit = wholeNumber(options.limit, "--limit", 1, 200) ?? 20;
  if (!query && !options.reindex && !options.embed)
    throw new UserError('say what to look for: eva search "<words>"', 2);
  const embedder = createEmbedder();
  if (options.embed && !embedder) {
    throw new UserError(
      "--embed needs an embedding model: set EVA_EMBEDDING_MODEL (and OPENAI_BASE_URL or OPENAI_API_KEY)",
      2,
    );
  }
  await withSession(async ({ connection }) => {
    if (options.reindex) {
      const { rows } = await withRole(connection.db, "eva_service", (trx) =>
        sql<{ n: number }>`select eva_private.fn_search_reindex() as n`.execute(trx),
      );
      progress(`search index rebuilt: ${rows[0]?.n ?? 0} documents`);
      if (!query && !options.embed) return;
    }
    if (options.embed && embedder) {
      if (!(await embeddingsAvailable(connection.db))) {
        throw new UserError(
          "this database has no pgvector extension: install pgvector on the server and run `eva db migrate` (search stays keyword-only until then)",
        );
      }
      const written = await embedMissing(
        (fn) => withRole(connection.db, "eva_service", (trx) => fn(trx as unknown as Database)),
        embedder,
        { onBatch: (done, total) => progress(`embedded ${done} of ${total} documents (${embedder.model})`) },
      );
      progress(`embeddings stored: ${written} documents (${embedder.model})`);
      if (!query) return;
    }
    const ventureId = options.venture
      ? (await namedVenture(connection.db, options.venture, { what: "--venture" })).id
      : null;
    const result = await withRole(connection.db, "eva_chairman", (trx) =>
      searchVentures(trx as unknown as Database, query, {
        ventureId,
        stage: stage ?? null,
        limit,
        embedder,
      }),
    );
    if (options.json) return printJson(result);
    if (result.note) progress(result.note);
    if (result.capped) {
      progress("many documents match: only the first found were ranked (add words, --venture or --stage to narrow it)");
    }
    if (result.hits.length === 0) return void process.stdout.write(`nothing found for "${query}"\n`);
    printTable(
      result.hits.map((h) => ({
        ...h,
        rank: h.rank.toFixed(3),
        venture: h.ventureName ?? "(parked idea)",
        stage: h.lifecycleStage ?? "",
        snippet: h.snippet.replace(/\s+/g, " ").slice(0, 90),
      })),
      [
        ["rank", "RANK"],
        ["venture", "VENTURE"],
        ["kind", "KIND"],
        ["stage", "STAGE"],
        ["title", "TITLE"],
        ["snippet", "MATCH"],
      ],
    );
  });
}

export function registerSearch(program: Command): void {
  program
    .command("search")
    .description(summaryOf("search"))
    .argument("[query...]", 'the words to look for (web-search syntax: "exact phrase", -without, or)')
    .option("--venture <venture>", "only this venture's documents (id or exact name)")
    .option("--stage <n>", "only documents of this lifecycle stage (0-25)")
    .option("--limit <n>", "at most this many results (default 20)")
    .option("--reindex", "rebuild the search index from ventures, artifacts, retrospectives and the nursery first")
    .option(
      "--embed",
      "first store the embeddings of documents that have none by EVA_EMBEDDING_MODEL (pgvector servers; the worker's search_embed does this for new documents)",
    )
    .option(
      "--json",
      'print { "query", "mode", "note", "hits": [{ "documentId", "kind", "ventureName", "lifecycleStage", "title", "snippet", "rank", … }] }',
    )
    .addHelpText(
      "after",
      `
Ranked by 0.7 × full-text rank (a venture's name weighs most, then a
document's heading, its text, its labels) + 0.3 × trigram similarity of the
title, so a misspelt venture name still finds it. Only current artifact
versions are searched. By meaning too where PostgreSQL has pgvector and
EVA_EMBEDDING_MODEL names an embedding model on OPENAI_BASE_URL; keyword-only
otherwise (the note says which).

Examples:
  eva search invoice
  eva search "bank feed" --stage 6
  eva search pricing --venture LedgerLoop --json
  EVA_EMBEDDING_MODEL=nomic-embed-text OPENAI_BASE_URL=http://127.0.0.1:11434/v1 eva search --embed`,
    )
    .action(async (words: string[], options: SearchOptions) => search(words, options));
}
