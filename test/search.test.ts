// Search across ventures (issue 14 point 8): a venture is found by a word of
// one of its artifacts, ranked, filtered by venture and stage, kept current as
// artifacts get new versions, under each role's row level security, over SQL
// and GraphQL; by meaning only where pgvector exists.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { mintToken } from "../src/auth/tokens.ts";
import { type Database, withRole } from "../src/db/client.ts";
import { embeddingsAvailable, keywordSearch, searchVentures } from "../src/intelligence/search.ts";
import { createEmbedder, createOpenAIEmbedder } from "../src/llm/embeddings.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";
import { postGraphql } from "./helpers/graphql.ts";

process.env.EVA_JWT_SECRET ??= "search-test-secret-search-test-secret-0123456789";
const t = await createTestDatabase();
let api: ApiServer;
let embeddings: Server;
let embeddingsUrl: string;
const embeddingRequests: { model: string; input: string[] }[] = [];

let ledger: { id: string; name: string };
let orchard: { id: string; name: string };
let zymurgy: { id: string; name: string };

async function addArtifact(ventureId: string, stage: number, type: string, content: unknown): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, epistemic_classification)
    values (${ventureId}::uuid, ${stage}, ${type}, ${JSON.stringify(content)}::jsonb, 'simulation') returning id`.execute(
    t.service,
  );
  return rows[0]?.id as string;
}

const as = <T>(role: "eva_chairman" | "eva_service" | "eva_viewer", fn: (db: Database) => Promise<T>) =>
  withRole(t.db, role, (trx) => fn(trx as unknown as Database));

beforeAll(async () => {
  ledger = await createVenture(t.db, { name: "LedgerLoop" });
  orchard = await createVenture(t.db, { name: "Orchard Ops" });
  zymurgy = await createVenture(t.db, { name: "Zymurgy Cloud" });
  await addArtifact(orchard.id, 4, "competitive_analysis", {
    competitors: [{ name: "Brewtrack", note: "charges per fermentation tank, zymurgy hobbyists churn" }],
  });
  await addArtifact(ledger.id, 6, "risk_matrix", {
    risks: [{ title: "Bank feed outages", mitigation: "nightly CSV import" }],
  });
  api = await startApiServer({ url: t.url, port: 0 });
  embeddings = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      const parsed = JSON.parse(body) as { model: string; input: string[] };
      embeddingRequests.push(parsed);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          object: "list",
          model: parsed.model,
          data: parsed.input.map((text, index) => ({ object: "embedding", index, embedding: [text.length, 1, 0] })),
          usage: { prompt_tokens: 3, total_tokens: 3 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => embeddings.listen(0, "127.0.0.1", resolve));
  embeddingsUrl = `http://127.0.0.1:${(embeddings.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  await api?.close();
  await new Promise((resolve) => embeddings.close(resolve));
  await t.drop();
});

describe("keyword search", () => {
  it("finds a venture by a word that appears only in one of its artifacts", async () => {
    const hits = await as("eva_chairman", (db) => keywordSearch(db, "fermentation"));
    expect(hits.map((h) => [h.ventureName, h.kind, h.lifecycleStage])).toEqual([["Orchard Ops", "artifact", 4]]);
    expect(hits[0]?.snippet).toContain("«fermentation»");
    // Stemmed: "tanks" finds "tank".
    expect((await as("eva_chairman", (db) => keywordSearch(db, "tanks"))).map((h) => h.ventureName)).toEqual([
      "Orchard Ops",
    ]);
  });

  it("ranks a venture named by the word above one whose artifact merely mentions it", async () => {
    const hits = await as("eva_chairman", (db) => keywordSearch(db, "zymurgy"));
    const names = hits.map((h) => `${h.ventureName}:${h.kind}`);
    expect(names[0]).toBe("Zymurgy Cloud:name");
    expect(names).toContain("Orchard Ops:artifact");
    const first = hits[0]?.rank ?? 0;
    const mention = hits.find((h) => h.ventureName === "Orchard Ops")?.rank ?? 1;
    expect(first).toBeGreaterThan(mention);
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]?.rank).toBeGreaterThanOrEqual(hits[i]?.rank ?? 0);
  });

  it("finds a misspelt venture name by trigram similarity", async () => {
    const hits = await as("eva_chairman", (db) => keywordSearch(db, "ledgerlop"));
    expect(hits[0]?.ventureName).toBe("LedgerLoop");
    expect(hits[0]?.textRank).toBe(0);
    expect(hits[0]?.similarity).toBeGreaterThan(0.6);
  });

  it("filters by venture and by stage", async () => {
    const all = await as("eva_chairman", (db) => keywordSearch(db, "invoice"));
    expect(new Set(all.map((h) => h.ventureName))).toEqual(new Set(["LedgerLoop", "Orchard Ops", "Zymurgy Cloud"]));
    const one = await as("eva_chairman", (db) => keywordSearch(db, "invoice", { ventureId: ledger.id }));
    expect(new Set(one.map((h) => h.ventureName))).toEqual(new Set(["LedgerLoop"]));
    const stage6 = await as("eva_chairman", (db) => keywordSearch(db, "outages", { stage: 6 }));
    expect(stage6.map((h) => h.ventureName)).toEqual(["LedgerLoop"]);
    expect(await as("eva_chairman", (db) => keywordSearch(db, "outages", { stage: 5 }))).toEqual([]);
    await expect(as("eva_chairman", (db) => keywordSearch(db, "   "))).rejects.toMatchObject({ code: "EV400" });
  });

  it("ranks a bounded number of documents for a word that nearly every document contains, and says so", async () => {
    const many = await createVenture(t.db, { name: "Widgetry" });
    await sql`insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, epistemic_classification)
      select ${many.id}::uuid, s, a.name, jsonb_build_object('note', 'ubiquitous gizmo number ' || s || ' ' || a.name), 'simulation'
      from generate_series(0, 25) s cross join (select name from eva.artifact_types order by name limit 9) a`.execute(
      t.service,
    );
    const wide = await as("eva_chairman", (db) => keywordSearch(db, "ubiquitous gizmo", { limit: 50 }));
    expect(wide).toHaveLength(50);
    expect(wide.every((h) => h.capped)).toBe(true);
    const narrow = await as("eva_chairman", (db) => keywordSearch(db, "ubiquitous gizmo", { stage: 3 }));
    expect(narrow).toHaveLength(9);
    expect(narrow.every((h) => !h.capped && h.lifecycleStage === 3)).toBe(true);
    expect((await as("eva_chairman", (db) => keywordSearch(db, "fermentation")))[0]?.capped).toBe(false);
  });

  it("keeps only the current version of an artifact searchable", async () => {
    await addArtifact(ledger.id, 6, "risk_matrix", {
      risks: [{ title: "Regulator audits", mitigation: "keep a ledger" }],
    });
    expect(await as("eva_chairman", (db) => keywordSearch(db, "outages"))).toEqual([]);
    expect((await as("eva_chairman", (db) => keywordSearch(db, "regulator"))).map((h) => h.ventureName)).toEqual([
      "LedgerLoop",
    ]);
  });

  it("follows a rename into every document of the venture", async () => {
    await sql`update eva.ventures set name = 'Quillwort Books' where id = ${zymurgy.id}::uuid`.execute(t.db);
    const hits = await as("eva_chairman", (db) => keywordSearch(db, "quillwort"));
    expect(hits.length).toBeGreaterThanOrEqual(2);
    expect(new Set(hits.map((h) => h.ventureName))).toEqual(new Set(["Quillwort Books"]));
    await sql`update eva.ventures set name = 'Zymurgy Cloud' where id = ${zymurgy.id}::uuid`.execute(t.db);
  });

  it("indexes learnings from retrospectives and rebuilds the index from its sources", async () => {
    const { rows } = await sql<{ id: string }>`
      insert into eva.eva_sagas (venture_id, saga_type, current_step) values (${orchard.id}::uuid, 'venture_retirement', 'done') returning id`.execute(
      t.db,
    );
    await sql`insert into eva.venture_retrospectives (saga_id, venture_id, stage_of_death, ended_as, kill_reason, analysis, epistemic_classification, pattern_signature)
      values (${rows[0]?.id}::uuid, ${orchard.id}::uuid, 5, 'killed', 'unit economics never closed',
        ${JSON.stringify({ lessons: ["Seasonal orchards buy in spring only"] })}::jsonb, 'simulation', 'retired:killed:test')`.execute(
      t.db,
    );
    const hits = await as("eva_chairman", (db) => keywordSearch(db, "seasonal spring"));
    expect(hits.map((h) => [h.ventureName, h.kind])).toEqual([["Orchard Ops", "learning"]]);
    const before = await sql<{ n: string }>`select count(*) as n from eva.search_documents`.execute(t.db);
    const rebuilt = await sql<{ n: number }>`select eva_private.fn_search_reindex() as n`.execute(t.service);
    expect(rebuilt.rows[0]?.n).toBe(Number(before.rows[0]?.n));
  });
});

describe("who finds what", () => {
  it("shows parked ideas to the Chairman and services, not to viewers; anonymous finds nothing", async () => {
    const { rows } = await sql<{ id: string }>`
      insert into eva.chairman_decisions (lifecycle_stage, decision_type) values (0, 'venture_review') returning id`.execute(
      t.db,
    );
    await sql`insert into eva.venture_nursery (decision_id, name, brief, review_at)
      values (${rows[0]?.id}::uuid, 'Kelp Fodder', ${JSON.stringify({ problemStatement: "Dairy farms want seaweed feed" })}::jsonb, now() + interval '90 days')`.execute(
      t.db,
    );
    const chairman = await as("eva_chairman", (db) => keywordSearch(db, "seaweed"));
    expect(chairman.map((h) => [h.title, h.kind, h.ventureId])).toEqual([
      ["Kelp Fodder · parked idea (parked)", "brief", null],
    ]);
    expect((await as("eva_service", (db) => keywordSearch(db, "seaweed"))).length).toBe(1);
    expect(await as("eva_viewer", (db) => keywordSearch(db, "seaweed"))).toEqual([]);
    // A viewer still finds ventures.
    expect((await as("eva_viewer", (db) => keywordSearch(db, "fermentation"))).length).toBe(1);
    await expect(
      withRole(t.db, "eva_anonymous", (trx) => sql`select * from eva.fn_search('seaweed')`.execute(trx)),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("answers GraphQL's search under the caller's role", async () => {
    const query = `query Search($q: String!) { search(pQuery: $q, pLimit: 5) { nodes { title kind ventureId rank snippet } } }`;
    const ask = (token: string) =>
      postGraphql<{ search: { nodes: { title: string }[] } }>(api.url, query, { variables: { q: "seaweed" }, token });
    const chairman = await ask(await mintToken("chairman", 600));
    expect(chairman.errors).toBeUndefined();
    expect(chairman.data?.search.nodes.map((n) => n.title)).toEqual(["Kelp Fodder · parked idea (parked)"]);
    const viewer = await ask(await mintToken("viewer", 600));
    expect(viewer.errors).toBeUndefined();
    expect(viewer.data?.search.nodes).toEqual([]);
  });
});

describe("search by meaning", () => {
  it("calls the OpenAI-compatible /embeddings endpoint of the configured server", async () => {
    const embedder = createOpenAIEmbedder({ baseURL: embeddingsUrl, model: "nomic-embed-text" });
    expect(await embedder.embed(["ab", "abcd"])).toEqual([
      [2, 1, 0],
      [4, 1, 0],
    ]);
    expect(embeddingRequests.at(-1)).toMatchObject({ model: "nomic-embed-text", input: ["ab", "abcd"] });
    expect(createEmbedder({})).toBeNull();
    expect(() => createEmbedder({ EVA_EMBEDDING_MODEL: "x" })).toThrow(/needs a model server/);
  });

  it("is keyword-only, and says why, where the database has no pgvector", async (context) => {
    if (await embeddingsAvailable(t.db))
      context.skip("this server has pgvector: the by-meaning test below runs instead");
    const embedder = createOpenAIEmbedder({ baseURL: embeddingsUrl, model: "nomic-embed-text" });
    const result = await as("eva_chairman", (db) => searchVentures(db, "fermentation", { embedder }));
    expect(result.mode).toBe("keyword");
    expect(result.note).toMatch(/no pgvector extension/);
    expect(result.hits.map((h) => h.ventureName)).toEqual(["Orchard Ops"]);
    const none = await as("eva_chairman", (db) => searchVentures(db, "fermentation"));
    expect(none.note).toMatch(/no embedding model configured/);
  });

  it("queues no embedding and calls no model where the database has no pgvector", async (context) => {
    if (await embeddingsAvailable(t.db))
      context.skip("this server has pgvector: embeddings are queued and stored there");
    const { rows } = await sql<{ n: string }>`
      select count(*) as n from graphile_worker.jobs where task_identifier = 'search_embed'`.execute(t.db);
    expect(Number(rows[0]?.n)).toBe(0);
    const before = embeddingRequests.length;
    const embedder = createOpenAIEmbedder({ baseURL: embeddingsUrl, model: "nomic-embed-text" });
    const { searchEmbedTasks } = await import("../src/tasks/search-embed.ts");
    const { search_embed } = searchEmbedTasks({ db: t.service, embedder });
    await search_embed({ documentId: 1 }, {} as never);
    expect(embeddingRequests.length).toBe(before);
  });

  it("finds documents by meaning where pgvector is installed", async (context) => {
    if (!(await embeddingsAvailable(t.db))) {
      context.skip(
        "pgvector is not installed on this PostgreSQL server (pg_available_extensions has no vector): search is keyword-only here",
      );
    }
    const embedder = createOpenAIEmbedder({ baseURL: embeddingsUrl, model: "nomic-embed-text" });
    const { embedDocuments } = await import("../src/intelligence/search.ts");
    const { rows } = await sql<{ id: string }>`select id from eva.search_documents`.execute(t.db);
    await as("eva_service", (db) =>
      embedDocuments(
        db,
        embedder,
        rows.map((r) => Number(r.id)),
      ),
    );
    const result = await as("eva_chairman", (db) => searchVentures(db, "brewing beer at home", { embedder }));
    expect(result.mode).toBe("keyword+meaning");
    expect(result.hits.length).toBeGreaterThan(0);
    expect(result.hits.every((h) => h.meaning !== null || h.textRank > 0 || h.similarity > 0)).toBe(true);
  });
});
