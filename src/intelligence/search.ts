// Search across ventures (issue 14, spec §13 Phase C item 15): the keyword
// rank of eva.fn_search (full-text + trigram, under the caller's RLS), and,
// where the database has pgvector and an embedding model is configured, the
// documents nearest in meaning, fused with the keyword ranks (reciprocal rank
// fusion). Without either it is keyword-only, and says so.
import { sql } from "kysely";
import type { Database } from "../db/client.ts";
import type { Embedder } from "../llm/embeddings.ts";

export interface SearchOptions {
  ventureId?: string | null;
  stage?: number | null;
  limit?: number;
  /** Embeds the query for the by-meaning half; without it (or without pgvector) search is keyword-only. */
  embedder?: Embedder | null;
}

export interface SearchHit {
  documentId: number;
  kind: "name" | "brief" | "artifact" | "learning";
  ventureId: string | null;
  ventureName: string | null;
  lifecycleStage: number | null;
  title: string;
  snippet: string;
  /** 0.7 × text rank + 0.3 × title similarity (keyword), or the fused rank when by meaning too. */
  rank: number;
  textRank: number;
  similarity: number;
  /** Cosine similarity of the query's embedding to the document's, when searched by meaning. */
  meaning: number | null;
  /** eva.fn_search ranked only the first documents it found of many (the same on every hit of one search). */
  capped: boolean;
}

export interface SearchResult {
  query: string;
  mode: "keyword" | "keyword+meaning";
  /** Why the search is keyword-only, when it is. */
  note: string | null;
  /** More documents matched than eva.fn_search ranks (200 venture names, 200 others): add words, a venture or a stage. */
  capped: boolean;
  hits: SearchHit[];
}

interface Row {
  document_id: string;
  kind: SearchHit["kind"];
  venture_id: string | null;
  venture_name: string | null;
  lifecycle_stage: number | null;
  title: string;
  snippet: string;
  rank: number;
  text_rank: number;
  similarity: number;
  capped: boolean;
}

/** Whether this database stores embeddings (pgvector was installed at migrate time). */
export async function embeddingsAvailable(db: Database): Promise<boolean> {
  const { rows } = await sql<{ present: boolean }>`
    select exists (select 1 from pg_catalog.pg_attribute
                   where attrelid = 'eva.search_documents'::regclass and attname = 'embedding' and not attisdropped) as present`.execute(
    db,
  );
  return rows[0]?.present ?? false;
}

/** Keyword search through eva.fn_search, as whoever `db` acts as (RLS decides what it sees). */
export async function keywordSearch(db: Database, query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
  const { rows } = await sql<Row>`
    select s.document_id, s.kind, s.venture_id, v.name as venture_name, s.lifecycle_stage, s.title, s.snippet,
      s.rank, s.text_rank, s.similarity, s.capped
    from eva.fn_search(${query}, ${options.ventureId ?? null}::uuid, ${options.stage ?? null}::int, ${options.limit ?? 20}::int) s
    left join eva.ventures v on v.id = s.venture_id
    order by s.rank desc, s.document_id`.execute(db);
  return rows.map((r) => ({
    documentId: Number(r.document_id),
    kind: r.kind,
    ventureId: r.venture_id,
    ventureName: r.venture_name,
    lifecycleStage: r.lifecycle_stage,
    title: r.title,
    snippet: r.snippet,
    rank: r.rank,
    textRank: r.text_rank,
    similarity: r.similarity,
    meaning: null,
    capped: r.capped,
  }));
}

const RRF_K = 60;

/** Searches by keyword, and by meaning too where pgvector and an embedder are both there. */
export async function searchVentures(db: Database, query: string, options: SearchOptions = {}): Promise<SearchResult> {
  const keyword = await keywordSearch(db, query, options);
  const capped = keyword[0]?.capped ?? false;
  if (!options.embedder) {
    return {
      query,
      mode: "keyword",
      note: "keyword-only: no embedding model configured (EVA_EMBEDDING_MODEL)",
      capped,
      hits: keyword,
    };
  }
  if (!(await embeddingsAvailable(db))) {
    return {
      query,
      mode: "keyword",
      note: "keyword-only: this database has no pgvector extension (embeddings are stored only where it is installed)",
      capped,
      hits: keyword,
    };
  }
  const [vector] = await options.embedder.embed([query]);
  if (!vector) {
    return {
      query,
      mode: "keyword",
      note: "keyword-only: the embedding model returned nothing",
      capped,
      hits: keyword,
    };
  }
  const limit = options.limit ?? 20;
  const literal = `[${vector.join(",")}]`;
  const { rows } = await sql<Row & { meaning: number }>`
    select d.id as document_id, d.kind, d.venture_id, v.name as venture_name, d.lifecycle_stage, d.title,
      pg_catalog.left(d.body, 200) as snippet, 0::float8 as rank, 0::float8 as text_rank, 0::float8 as similarity,
      1 - (d.embedding operator(eva_ext.<=>) ${literal}::eva_ext.vector) as meaning
    from eva.search_documents d left join eva.ventures v on v.id = d.venture_id
    where d.embedding is not null and d.embedding_model = ${options.embedder.model}
      and (${options.ventureId ?? null}::uuid is null or d.venture_id = ${options.ventureId ?? null}::uuid)
      and (${options.stage ?? null}::int is null or d.lifecycle_stage = ${options.stage ?? null}::int)
    order by d.embedding operator(eva_ext.<=>) ${literal}::eva_ext.vector
    limit ${limit}`.execute(db);
  const fused = new Map<number, SearchHit & { fused: number }>();
  for (const [i, hit] of keyword.entries()) fused.set(hit.documentId, { ...hit, fused: 1 / (RRF_K + i + 1) });
  for (const [i, r] of rows.entries()) {
    const id = Number(r.document_id);
    const score = 1 / (RRF_K + i + 1);
    const existing = fused.get(id);
    if (existing) {
      existing.fused += score;
      existing.meaning = r.meaning;
    } else {
      fused.set(id, {
        documentId: id,
        kind: r.kind,
        ventureId: r.venture_id,
        ventureName: r.venture_name,
        lifecycleStage: r.lifecycle_stage,
        title: r.title,
        snippet: r.snippet,
        rank: 0,
        textRank: 0,
        similarity: 0,
        meaning: r.meaning,
        capped,
        fused: score,
      });
    }
  }
  const hits = [...fused.values()]
    .sort((a, b) => b.fused - a.fused || a.documentId - b.documentId)
    .slice(0, limit)
    .map(({ fused: score, ...hit }) => ({ ...hit, rank: score }));
  return { query, mode: "keyword+meaning", note: null, capped, hits };
}

/** Writes the embeddings of documents that lack one for `embedder`'s model (the search_embed task); returns how many. */
export async function embedDocuments(db: Database, embedder: Embedder, documentIds: number[]): Promise<number> {
  if (documentIds.length === 0 || !(await embeddingsAvailable(db))) return 0;
  const { rows } = await sql<{ id: string; text: string }>`
    select id, pg_catalog.left(title || E'\n' || body, 8000) as text from eva.search_documents
    where id = any(${documentIds.map(String)}::bigint[])
      and (embedding is null or embedding_model is distinct from ${embedder.model})`.execute(db);
  if (rows.length === 0) return 0;
  const vectors = await embedder.embed(rows.map((r) => r.text));
  let written = 0;
  for (const [i, row] of rows.entries()) {
    const vector = vectors[i];
    if (!vector) continue;
    await sql`select eva_private.fn_search_set_embedding(${row.id}::bigint, ${`[${vector.join(",")}]`}, ${embedder.model})`.execute(
      db,
    );
    written++;
  }
  return written;
}

/**
 * Embeds every document that has no embedding by `embedder`'s model (after pgvector was
 * installed on a database that already had documents, or after a model change), in batches,
 * each in its own transaction through `run` (as eva_service); `onBatch` hears the running
 * count. Returns how many were written.
 */
export async function embedMissing(
  run: <T>(fn: (db: Database) => Promise<T>) => Promise<T>,
  embedder: Embedder,
  options: { batch?: number; onBatch?: (done: number, total: number) => void } = {},
): Promise<number> {
  if (!(await run((db) => embeddingsAvailable(db)))) return 0;
  const batch = options.batch ?? 64;
  const total = await run(async (db) => {
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from eva.search_documents
      where embedding is null or embedding_model is distinct from ${embedder.model}`.execute(db);
    return Number(rows[0]?.n ?? 0);
  });
  let done = 0;
  let after = 0;
  for (;;) {
    const written = await run(async (db) => {
      const { rows } = await sql<{ id: string }>`
        select id from eva.search_documents
        where id > ${after} and (embedding is null or embedding_model is distinct from ${embedder.model})
        order by id limit ${batch}`.execute(db);
      if (rows.length === 0) return null;
      after = Number(rows.at(-1)?.id);
      return embedDocuments(
        db,
        embedder,
        rows.map((r) => Number(r.id)),
      );
    });
    if (written === null) return done;
    done += written;
    options.onBatch?.(done, total);
  }
}
