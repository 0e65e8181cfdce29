// Search across ventures (issue 14 point 8): a venture is found by a word of
// one of its artifacts, ranked, filtered by venture and stage, kept current as
// artifacts get new versions, under each role's row level security, over SQL
// and GraphQL; by meaning only where pgvector exists.
import { randomBytes } from "node:crypto";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { mintToken } from "../src/auth/tokens.ts";
import { connect, type Database, withRole } from "../src/db/client.ts";
import { withDatabase } from "../src/db/connection.ts";
import { migrate } from "../src/db/migrate.ts";
import {
  embedDocuments,
  embeddingsAvailable,
  embedMissing,
  keywordSearch,
  searchVentures,
} from "../src/intelligence/search.ts";
import { createEmbedder, createOpenAIEmbedder } from "../src/llm/embeddings.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { type EmbeddingsServer, startEmbeddingsServer } from "./helpers/embeddings-server.ts";
import { createVenture } from "./helpers/fixtures.ts";
import { postGraphql } from "./helpers/graphql.ts";

process.env.EVA_JWT_SECRET ??= "search-test-secret-search-test-secret-0123456789";
const t = await createTestDatabase();
let api: ApiServer;
let embeddings: EmbeddingsServer;
let embeddingsUrl: string;
let embeddingRequests: EmbeddingsServer["requests"] = [];

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
  embeddings = await startEmbeddingsServer();
  embeddingsUrl = embeddings.url;
  embeddingRequests = embeddings.requests;
});
afterAll(async () => {
  await api?.close();
  await embeddings.close();
  await t.drop();
});

/** What the API's schema build on `url` warns (console.warn), the server started and closed again. */
async function schemaBuildWarnings(url: string): Promise<string[]> {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map(String).join(" "));
  };
  let server: ApiServer | undefined;
  try {
    server = await startApiServer({ url, port: 0 });
  } finally {
    console.warn = warn;
    await server?.close();
  }
  return warnings;
}

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

  // On a server with pgvector every test database has it; a database migrated without it
  // (as on a server that lacks it) shows the keyword-only path on every server.
  describe("on a database without pgvector", () => {
    let bare: { url: string; db: Database; name: string; close: () => Promise<void> };
    const bareAs = <T>(role: "eva_chairman" | "eva_service", fn: (db: Database) => Promise<T>) =>
      withRole(bare.db, role, (trx) => fn(trx as unknown as Database));

    beforeAll(async () => {
      const admin = new pg.Client({ connectionString: inject("adminUrl") });
      await admin.connect();
      const name = `eva_test_bare_${randomBytes(6).toString("hex")}`;
      try {
        await admin.query(`create database ${name}`);
      } finally {
        await admin.end();
      }
      const url = withDatabase(inject("adminUrl"), name);
      const report = await migrate(url, () => {}, { embeddings: false });
      expect(report.embeddings).toBe(false);
      const connection = connect(url, { max: 2, applicationName: "eva-test" });
      bare = { url, db: connection.db, name, close: () => connection.close() };
      const venture = await createVenture(bare.db, { name: "Orchard Ops" });
      await sql`
        insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, epistemic_classification)
        values (${venture.id}::uuid, 4, 'competitive_analysis',
          ${JSON.stringify({ competitors: [{ name: "Brewtrack", note: "charges per fermentation tank" }] })}::jsonb,
          'simulation')`.execute(bare.db);
    });
    afterAll(async () => {
      await bare?.close();
      const admin = new pg.Client({ connectionString: inject("adminUrl") });
      await admin.connect();
      try {
        await admin.query(`drop database if exists ${bare.name} with (force)`);
      } finally {
        await admin.end();
      }
    });

    it("builds the API's schema without a warning (no rule for columns it does not have)", async () => {
      expect(await schemaBuildWarnings(bare.url)).toEqual([]);
    });

    it("is keyword-only, and says why", async () => {
      expect(await embeddingsAvailable(bare.db)).toBe(false);
      const embedder = createOpenAIEmbedder({ baseURL: embeddingsUrl, model: "nomic-embed-text" });
      const result = await bareAs("eva_chairman", (db) => searchVentures(db, "fermentation", { embedder }));
      expect(result.mode).toBe("keyword");
      expect(result.note).toMatch(/no pgvector extension/);
      expect(result.hits.map((h) => h.ventureName)).toEqual(["Orchard Ops"]);
      const none = await bareAs("eva_chairman", (db) => searchVentures(db, "fermentation"));
      expect(none.note).toMatch(/no embedding model configured/);
    });

    it("queues no embedding and calls no model", async () => {
      const { rows } = await sql<{ n: string }>`
        select count(*) as n from graphile_worker.jobs where task_identifier = 'search_embed'`.execute(bare.db);
      expect(Number(rows[0]?.n)).toBe(0);
      const before = embeddingRequests.length;
      const embedder = createOpenAIEmbedder({ baseURL: embeddingsUrl, model: "nomic-embed-text" });
      const { searchEmbedTasks } = await import("../src/tasks/search-embed.ts");
      const { search_embed } = searchEmbedTasks({ db: bare.db, embedder });
      await search_embed({ documentId: 1 }, {} as never);
      expect(embeddingRequests.length).toBe(before);
      // A worker with an embedding model changes nothing here.
      const { rows: recorded } = await sql<{ ok: boolean }>`
        select eva_private.fn_search_set_embedder('nomic-embed-text') as ok`.execute(bare.db);
      expect(recorded[0]?.ok).toBe(false);
    });

    it("gains embeddings when pgvector is installed on the server and eva db migrate runs again", async (context) => {
      const { rows } = await sql<{ available: boolean }>`
        select exists (select 1 from pg_catalog.pg_available_extensions where name = 'vector') as available`.execute(
        bare.db,
      );
      if (!rows[0]?.available) context.skip("pgvector is not installed on this PostgreSQL server");
      const lines: string[] = [];
      const report = await migrate(bare.url, (line) => lines.push(line));
      expect(report.applied).toEqual([]);
      expect(report.embeddings).toBe(true);
      expect(lines).toContain("installed pgvector in eva_ext: search documents carry embeddings");
      expect(await embeddingsAvailable(bare.db)).toBe(true);
      const { rows: setting } = await sql<{ value: unknown }>`
        select value from eva_private.settings where key = 'search.embeddings'`.execute(bare.db);
      expect(setting[0]?.value).toBe(true);
      // The documents written before have no embedding yet: search --embed (embedMissing) writes them.
      const embedder = createOpenAIEmbedder({ baseURL: embeddingsUrl, model: "nomic-embed-text" });
      const progressSeen: [number, number][] = [];
      const written = await embedMissing(
        (fn) => withRole(bare.db, "eva_service", (trx) => fn(trx as unknown as Database)),
        embedder,
        { batch: 1, onBatch: (done, total) => progressSeen.push([done, total]) },
      );
      const { rows: docs } = await sql<{ n: string; embedded: string }>`
        select count(*) as n, count(embedding_model) as embedded from eva.search_documents`.execute(bare.db);
      expect(written).toBe(Number(docs[0]?.n));
      expect(Number(docs[0]?.embedded)).toBe(written);
      expect(progressSeen.at(-1)).toEqual([written, written]);
      const result = await bareAs("eva_chairman", (db) => searchVentures(db, "fermentation", { embedder }));
      expect(result.mode).toBe("keyword+meaning");
      // Running it again finds nothing left to embed.
      const again = await embedMissing(
        (fn) => withRole(bare.db, "eva_service", (trx) => fn(trx as unknown as Database)),
        embedder,
      );
      expect(again).toBe(0);
    });
  });

  it("migrates a database whose pgvector lives in another schema: keyword-only, says why and how to change it", async (context) => {
    const admin = new pg.Client({ connectionString: inject("adminUrl") });
    await admin.connect();
    const name = `eva_test_vecpub_${randomBytes(6).toString("hex")}`;
    try {
      const { rows } = await admin.query<{ available: boolean }>(
        "select exists (select 1 from pg_catalog.pg_available_extensions where name = 'vector') as available",
      );
      if (!rows[0]?.available) context.skip("pgvector is not installed on this PostgreSQL server");
      await admin.query(`create database ${name}`);
      const url = withDatabase(inject("adminUrl"), name);
      const owner = new pg.Client({ connectionString: url });
      await owner.connect();
      try {
        // As an operator who enabled pgvector for other uses before EVA's first migrate.
        await owner.query("create extension vector schema public");
        const lines: string[] = [];
        const report = await migrate(url, (line) => lines.push(line));
        expect(report.embeddings).toBe(false);
        expect(lines).toContain(
          "pgvector is installed in schema public, not eva_ext: search stays keyword-only " +
            "(for search by meaning: ALTER EXTENSION vector SET SCHEMA eva_ext, then eva db migrate)",
        );
        const state = async () =>
          (
            await owner.query<{ setting: unknown; columns: number; standIn: string | null }>(
              `select (select value from eva_private.settings where key = 'search.embeddings') as setting,
                 (select count(*)::int from pg_catalog.pg_attribute where attrelid = 'eva.search_documents'::regclass
                  and attname like 'embedding%' and not attisdropped) as columns,
                 pg_catalog.to_regtype('eva_ext.vector')::text as "standIn"`,
            )
          ).rows[0];
        // No embedding columns, and no eva_ext.vector left behind (migration 044 ran against a stand-in).
        expect(await state()).toEqual({ setting: false, columns: 0, standIn: null });
        // Run again: nothing to do, still keyword-only; a stand-in a failed migrate left behind (with its
        // columns) goes too.
        await owner.query("create domain eva_ext.vector as public.vector");
        await owner.query("alter table eva.search_documents add column embedding eva_ext.vector");
        expect(await migrate(url, () => {})).toMatchObject({ applied: [], embeddings: false });
        expect(await state()).toEqual({ setting: false, columns: 0, standIn: null });
        // Moved as the message says, the next migrate gives the documents their embeddings.
        await owner.query("alter extension vector set schema eva_ext");
        expect((await migrate(url, () => {})).embeddings).toBe(true);
      } finally {
        await owner.end();
      }
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });

  it("re-embeds a document only when its text changes, and drops the stale embedding meanwhile", async (context) => {
    if (!(await embeddingsAvailable(t.db))) context.skip("pgvector is not installed on this PostgreSQL server");
    const embedder = createOpenAIEmbedder({ baseURL: embeddingsUrl, model: "nomic-embed-text" });
    const { rows: doc } = await sql<{ id: string }>`
      select id from eva.search_documents where source_table = 'ventures' and source_id = ${zymurgy.id}`.execute(t.db);
    const id = Number(doc[0]?.id);
    await as("eva_service", (db) => embedDocuments(db, embedder, [id]));
    const state = async () =>
      (
        await sql<{ model: string | null; version: string; jobs: string }>`
          select d.embedding_model as model, d.xmin::text as version,
            (select count(*) from graphile_worker.jobs j
             where j.task_identifier = 'search_embed' and j.key = 'search_embed:' || d.id) as jobs
          from eva.search_documents d where d.id = ${id}`.execute(t.db)
      ).rows[0];
    await sql`select graphile_worker.remove_job(${`search_embed:${id}`})`.execute(t.db);
    const embedded = await state();
    expect(embedded).toMatchObject({ model: "nomic-embed-text", jobs: "0" });
    // The same document written again: no new row version, nothing queued.
    await sql`select eva_private.fn_search_index_venture(${zymurgy.id}::uuid)`.execute(t.db);
    expect(await state()).toEqual(embedded);
    // Its text changes while no worker embeds: the old embedding is gone, nothing is queued.
    await sql`update eva.ventures set problem_statement = 'Home brewers lose track of their batches.' where id = ${zymurgy.id}::uuid`.execute(
      t.db,
    );
    expect(await state()).toMatchObject({ model: null, jobs: "0" });
    // A worker started with EVA_EMBEDDING_MODEL records its model: a change now queues the new embedding.
    await as("eva_service", (db) => embedDocuments(db, embedder, [id]));
    const { rows: recorded } = await sql<{ ok: boolean }>`
      select eva_private.fn_search_set_embedder('nomic-embed-text') as ok`.execute(t.service);
    expect(recorded[0]?.ok).toBe(true);
    await sql`update eva.ventures set problem_statement = 'Home brewers lose track of every batch.' where id = ${zymurgy.id}::uuid`.execute(
      t.db,
    );
    expect(await state()).toMatchObject({ model: null, jobs: "1" });
  });

  it("builds the API's schema on a database with pgvector without a warning about the vector type", async (context) => {
    if (!(await embeddingsAvailable(t.db))) context.skip("pgvector is not installed on this PostgreSQL server");
    expect((await schemaBuildWarnings(t.url)).filter((w) => /vector/i.test(w))).toEqual([]);
  });

  it("finds documents by meaning where pgvector is installed", async (context) => {
    if (!(await embeddingsAvailable(t.db))) {
      context.skip(
        "pgvector is not installed on this PostgreSQL server (pg_available_extensions has no vector): search is keyword-only here",
      );
    }
    const embedder = createOpenAIEmbedder({ baseURL: embeddingsUrl, model: "nomic-embed-text" });
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
