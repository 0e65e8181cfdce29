// `eva marketing content …` as a user runs it (a real process, a real
// database, the offline analyst), and the same content through the
// Chairman's GraphQL API: viewers read it, the Chairman requests it through
// the mutation, nobody updates it as a row.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { mintToken } from "../src/auth/tokens.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";

process.env.EVA_JWT_SECRET = "marketing-test-secret-marketing-test-secret-0123456789";

const t = await createTestDatabase();
const offline = { DATABASE_URL: t.url, EVA_ANALYST: "offline", OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined };
const eva = (args: string[]) => runEva(args, offline);
let api: ApiServer;

beforeAll(async () => {
  api = await startApiServer({ url: t.url, port: 0 });
});
afterAll(async () => {
  await api?.close();
  await t.drop();
});

async function contentCount(): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from marketing.marketing_content`.execute(t.db);
  return rows[0]?.n ?? 0;
}

describe("eva marketing content", () => {
  it("generate --wait --json writes, reviews and schedules a content item, and gives its variants' ids", async () => {
    const v = await createVenture(t.db, { name: "Marketing CLI Venture" });
    const r = await eva(["marketing", "content", "generate", v.name, "--wait", "--json", "--tags", "launch,invoices"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("generating with the offline analyst");
    expect(r.stderr).toContain("review of generation 1 passed → SCHEDULE");
    const item = JSON.parse(r.stdout);
    expect(item).toMatchObject({ venture: v.name, state: "SCHEDULE", generation: 1, epistemic: "simulation" });
    expect(item.review).toMatchObject({ passed: true, epistemic: "simulation" });
    expect(item.conceptTags.slice(0, 2)).toEqual(["launch", "invoices"]);
    expect(item.variantList).toHaveLength(10);
    const { rows } = await sql<{ id: string }>`select id from marketing.marketing_content_variants
      where content_id = ${item.id}::uuid order by id`.execute(t.db);
    expect(item.variantList.map((x: { id: string }) => x.id).sort()).toEqual(rows.map((x) => x.id).sort());
    expect(item.history.map((h: { from: string; to: string }) => `${h.from}→${h.to}`)).toEqual([
      "IDEATE→GENERATE",
      "GENERATE→REVIEW",
      "REVIEW→SCHEDULE",
    ]);

    const list = await eva(["marketing", "content", "list", v.name, "--json"]);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).map((c: { id: string }) => c.id)).toEqual([item.id]);
    const table = await eva(["marketing", "content", "list"]);
    expect(table.stdout).toMatch(new RegExp(`${item.id}\\s+Marketing CLI Venture\\s+SCHEDULE`));

    const show = await eva(["marketing", "content", "show", item.id]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain("state:        SCHEDULE");
    expect(show.stdout).toContain("review:       passed (simulation)");
    expect(show.stdout).toContain(`x a  ${item.variantList.find((x: { platform: string }) => x.platform === "x").id}`);
    expect(show.stdout).toMatch(/REVIEW → SCHEDULE/);
  });

  it("generate without --wait queues the work for a worker", async () => {
    const v = await createVenture(t.db, { name: "Marketing Queue Venture" });
    const r = await eva(["marketing", "content", "generate", v.name, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("queued: a worker");
    const item = JSON.parse(r.stdout);
    expect(item).toMatchObject({ state: "IDEATE", variantList: [] });
    const { rows } = await sql<{ task_identifier: string }>`select task_identifier from graphile_worker.jobs
      where key = ${`marketing_content:${item.id}:generate`}`.execute(t.db);
    expect(rows).toEqual([{ task_identifier: "marketing_content_generate" }]);
  });

  it("refuses an unknown venture or content id with EV404 and writes nothing", async () => {
    const before = await contentCount();
    const r = await eva(["marketing", "content", "generate", "No Such Venture", "--wait"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no venture "No Such Venture"');
    expect(r.stderr).toContain("[EV404]");
    expect(await contentCount()).toBe(before);
    const missing = await eva(["marketing", "content", "show", "00000000-0000-4000-8000-000000000000"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("[EV404]");
    const list = await eva(["marketing", "content", "list", "No Such Venture"]);
    expect(list.stderr).toContain("[EV404]");
  });

  it("--help says what the commands do", async () => {
    const top = await eva(["--help"]);
    expect(top.stdout).toMatch(/marketing\s+the marketing engine/);
    const help = await eva(["marketing", "content", "generate", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--wait");
    expect(help.stdout).toContain("npx eva marketing content generate LedgerLoop --wait --json");
  });
});

describe("marketing content in GraphQL", () => {
  async function gql(query: string, token: string, variables: Record<string, unknown> = {}) {
    const response = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string }[] };
  }

  it("viewers read content and variants; the Chairman requests content through the mutation; viewers cannot", async () => {
    const v = await createVenture(t.db, { name: "Marketing API Venture" });
    const chairman = await mintToken("chairman", 600);
    const viewer = await mintToken("viewer", 600);
    const mutation = `mutation ($venture: UUID!) {
      requestContentGeneration(input: { pVentureId: $venture, pConceptTags: ["api"] }) {
        result { rowId lifecycleState conceptTags ventureId }
      }
    }`;
    const refused = await gql(mutation, viewer, { venture: v.id });
    expect(refused.errors?.[0]?.message).toMatch(/permission denied/);
    const requested = await gql(mutation, chairman, { venture: v.id });
    expect(requested.errors).toBeUndefined();
    const payload = requested.data?.requestContentGeneration as { result: Record<string, unknown> } | undefined;
    const created = payload?.result ?? {};
    expect(created).toMatchObject({ lifecycleState: "IDEATE", conceptTags: ["api"], ventureId: v.id });

    await eva(["marketing", "content", "generate", v.name, "--wait"]);
    const read = await gql(
      `query ($venture: UUID!) {
        allMarketingContents(condition: { ventureId: $venture }, orderBy: CREATED_AT_ASC) {
          nodes { rowId lifecycleState marketingContentVariantsByContentId { totalCount nodes { platform assetText } } }
        }
      }`,
      viewer,
      { venture: v.id },
    );
    expect(read.errors).toBeUndefined();
    const connection = read.data?.allMarketingContents as { nodes: Record<string, unknown>[] } | undefined;
    const nodes = connection?.nodes ?? [];
    expect(nodes.map((n) => n.lifecycleState)).toEqual(["IDEATE", "SCHEDULE"]);
    expect(nodes[1]?.marketingContentVariantsByContentId).toMatchObject({ totalCount: 10 });

    const update = await gql(
      `mutation ($id: UUID!) { updateMarketingContentByRowId(input: { rowId: $id, patch: { lifecycleState: "SCHEDULE" } }) { clientMutationId } }`,
      chairman,
      { id: created.rowId },
    );
    expect(update.errors?.[0]?.message).toMatch(/Cannot query field "updateMarketingContentByRowId"/);
    const unknown = await gql(mutation, chairman, { venture: "00000000-0000-4000-8000-000000000000" });
    expect(unknown.errors?.[0]?.message).toMatch(/no venture/);
  });
});
