// eva search and eva tools as users run them: the search finds a venture by a
// word of its artifact (table and --json), bad flags are usage errors; the
// tool profiles, agents and calls print, and assign changes an agent's profile.
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { embeddingsAvailable } from "../src/intelligence/search.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { startEmbeddingsServer } from "./helpers/embeddings-server.ts";
import { createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());
const eva = (...args: string[]) => runEva(args, { DATABASE_URL: t.url, EVA_EMBEDDING_MODEL: undefined });

describe("eva search", () => {
  it("finds a venture by a word of one of its artifacts, as a table and as JSON", async () => {
    const venture = await createVenture(t.db, { name: "Kilnworks" });
    await sql`insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, epistemic_classification)
      values (${venture.id}::uuid, 4, 'competitive_analysis', ${JSON.stringify({ note: "potters rent kilns by the hour" })}::jsonb, 'simulation')`.execute(
      t.service,
    );
    const table = await eva("search", "kilns");
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^RANK\s+VENTURE\s+KIND\s+STAGE\s+TITLE\s+MATCH\n/);
    expect(table.stdout).toContain("Kilnworks · competitive analysis (stage 4)");
    expect(table.stderr).toContain("keyword-only");
    const json = await eva("search", "kilns", "--venture", "Kilnworks", "--stage", "4", "--json");
    const parsed = JSON.parse(json.stdout) as { mode: string; hits: { ventureName: string; kind: string }[] };
    expect(parsed.mode).toBe("keyword");
    expect(parsed.hits.map((h) => [h.ventureName, h.kind])).toEqual([["Kilnworks", "artifact"]]);
    expect((await eva("search", "kilns", "--stage", "3")).stdout).toBe('nothing found for "kilns"\n');
  });

  it("answers bad usage with exit code 2", async () => {
    const none = await eva("search");
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/say what to look for/);
    const stage = await eva("search", "kilns", "--stage", "26");
    expect(stage.code).toBe(2);
    expect(stage.stderr).toMatch(/--stage must be a whole number from 0 to 25/);
    const venture = await eva("search", "kilns", "--venture", "Nowhere");
    expect(venture.code).toBe(1);
    expect(venture.stderr).toMatch(/no venture "Nowhere"/);
    const embed = await eva("search", "--embed");
    expect(embed.code).toBe(2);
    expect(embed.stderr).toMatch(/--embed needs an embedding model: set EVA_EMBEDDING_MODEL/);
  });

  it("--embed stores the missing embeddings through the model server, then searches by meaning too", async (context) => {
    const server = await startEmbeddingsServer();
    try {
      const withModel = (...args: string[]) =>
        runEva(args, { DATABASE_URL: t.url, EVA_EMBEDDING_MODEL: "nomic-embed-text", OPENAI_BASE_URL: server.url });
      if (!(await embeddingsAvailable(t.db))) {
        // Keyword-only server: said plainly, nothing sent to the model.
        const refused = await withModel("search", "--embed");
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(/this database has no pgvector extension/);
        expect(server.requests).toEqual([]);
        context.skip("pgvector is not installed on this PostgreSQL server: search stays keyword-only");
      }
      const { rows } = await sql<{ n: string }>`
        select count(*) as n from eva.search_documents where embedding_model is null`.execute(t.db);
      const missing = Number(rows[0]?.n);
      expect(missing).toBeGreaterThan(0);
      const embed = await withModel("search", "--embed");
      expect(embed.code).toBe(0);
      expect(embed.stderr).toContain(`embedded ${missing} of ${missing} documents (nomic-embed-text)`);
      expect(embed.stderr).toContain(`embeddings stored: ${missing} documents (nomic-embed-text)`);
      expect(server.requests.flatMap((r) => r.input)).toHaveLength(missing);
      const again = await withModel("search", "--embed");
      expect(again.stderr).toContain("embeddings stored: 0 documents");
      const json = JSON.parse((await withModel("search", "kilns", "--json")).stdout) as { mode: string; note: null };
      expect(json).toMatchObject({ mode: "keyword+meaning", note: null });
    } finally {
      await server.close();
    }
  });
});

describe("eva tools", () => {
  it("prints the profiles, the agents and their tools", async () => {
    const profiles = await eva("tools", "profiles");
    expect(profiles.code).toBe(0);
    expect(profiles.stdout).toMatch(/^PROFILE\s+TOOLS\s+AGENTS\s+FOR\n/);
    expect(profiles.stdout).toMatch(/readonly\s+fetch_url, read_venture, search\s+competitor_teardown/);
    const agents = JSON.parse((await eva("tools", "agents", "--json")).stdout) as { agent: string; profile: string }[];
    expect(agents.find((a) => a.agent === "devils_advocate")?.profile).toBe("readonly");
  });

  it("assigns a profile, refuses an unknown one, and lists the calls", async () => {
    const assign = await eva("tools", "assign", "devils_advocate", "minimal");
    expect(assign.stdout).toBe("devils_advocate now has the minimal profile\n");
    const agents = JSON.parse((await eva("tools", "agents", "--json")).stdout) as { agent: string; profile: string }[];
    expect(agents.find((a) => a.agent === "devils_advocate")?.profile).toBe("minimal");
    const bad = await eva("tools", "assign", "devils_advocate", "root");
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/no tool profile named root/);
    expect((await eva("tools", "calls")).stdout).toBe("no tool call recorded yet\n");
    await sql`select eva_private.fn_record_tool_call('devils_advocate', 'fetch_url', 'minimal', false,
      'devils_advocate has the minimal profile, which does not allow fetch_url', null, null, null, null, null, '{}')`.execute(
      t.db,
    );
    const calls = await eva("tools", "calls", "--agent", "devils_advocate");
    expect(calls.stdout).toMatch(/devils_advocate\s+fetch_url\s+minimal\s+refused/);
  });
});
