// Input edges, tried as a careless client or an attacker would (spec §12):
// the CLI's file inputs (size, a secret behind a symlink, bad UTF-8, NUL),
// PostgreSQL's refusals read as EV400 naming the field (CLI and GraphQL over
// HTTP), an update or delete that matches nothing, and Stage 0's URLs.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { mintToken } from "../src/auth/tokens.ts";
import { describeDatabaseError, inputProblem } from "../src/db/errors.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";

process.env.EVA_JWT_SECRET = "input-edges-test-secret-input-edges-test-secret-0123";

const _run = promisify(execFile);
const t = await createTestDatabase();
const scratch = mkdtempSync(join(tmpdir(), "eva-input-edges-"));
afterAll(async () => {
  await t.drop();
  rmSync(scratch, { recursive: true, force: true });
});

const eva = (args: string[]) => runEva(args, { DATABASE_URL: t.url }, { maxBuffer: 20_000_000 });

const file = (name: string, content: string | Buffer): string => {
  const path = join(scratch, name);
  writeFileSync(path, content);
  return path;
};

const ventureCount = async () =>
  Number((await sql<{ n: string }>`select count(*) as n from eva.ventures`.execute(t.db)).rows[0]?.n);

const idea = {
  name: "LedgerLoop",
  description: "An invoice reconciliation assistant for small accounting firms that drown in paperwork.",
  problemStatement: "Small firms lose hours every week matching invoices to payments.",
  valueProp: "Matches every invoice to its payment automatically, with an audit trail.",
  targetMarket: "EU accounting firms with 2-20 staff",
  archetype: "saas",
};

// What /etc/shadow holds, in a file only its owner reads, given through a symlink.
const SECRET = "root:$6$s3cr3tSalt$Qx9hashedPasswordHashThatMustNeverBePrinted:19700:0:99999:7:::";

describe("the CLI's --file", () => {
  it("refuses a 5 MB file naming the flag, the file and the cap, and creates nothing", {
    timeout: 120_000,
  }, async () => {
    const big = file("big.json", JSON.stringify({ ...idea, moatStrategy: "x".repeat(5_000_000) }));
    const before = await ventureCount();
    const created = await eva(["ventures", "create", "--file", big]);
    expect(created.code).toBe(2);
    expect(created.stderr).toContain(`--file ${big}: larger than 100,000 bytes`);
    const imported = await eva(["metrics", "import", randomUUID(), "--file", file("big.csv", "a".repeat(5_000_000))]);
    expect(imported.code).toBe(2);
    expect(imported.stderr).toContain("larger than 100,000 bytes");
    expect(await ventureCount()).toBe(before);
  });

  it("never echoes a file it cannot parse: a symlink to a secret is named by its position", {
    timeout: 120_000,
  }, async () => {
    const secret = file("shadow", `${SECRET}\ndaemon:*:19700:0:99999:7:::\n`);
    const link = join(scratch, "idea.json");
    symlinkSync(secret, link);
    const csvLink = join(scratch, "metrics.csv");
    symlinkSync(secret, csvLink);
    const v = await createVenture(t.db);
    for (const args of [
      ["ventures", "create", "--file", link],
      ["ideate", "--file", link],
      ["metrics", "import", v.id, "--file", link],
      ["metrics", "import", v.id, "--file", csvLink],
    ]) {
      const r = await eva(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(`--file ${args.at(-1)}`);
      for (const piece of ["s3cr3t", "root", "daemon", "19700", "Qx9"]) expect(r.stderr).not.toContain(piece);
      expect(r.stdout).toBe("");
    }
    const json = await eva(["ventures", "create", "--file", link]);
    expect(json.stderr).toContain("not valid JSON at line 1, column 1");
    const csv = await eva(["metrics", "import", v.id, "--file", csvLink]);
    expect(csv.stderr).toContain("line 1, column 1: not a known column");
  });

  it("refuses invalid UTF-8 naming the file and where, instead of replacing it", { timeout: 60_000 }, async () => {
    const bad = file(
      "latin1.json",
      Buffer.concat([Buffer.from(`{"name": "Caf`), Buffer.from([0xe9]), Buffer.from(`", "archetype": "saas"}`)]),
    );
    const r = await eva(["ventures", "create", "--file", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--file ${bad}: not valid UTF-8 (line 1, byte 14)`);
  });

  it("refuses NUL in a field, naming the field; a JSON error names its position", { timeout: 60_000 }, async () => {
    const before = await ventureCount();
    const nul = file("nul.json", JSON.stringify({ ...idea, name: "Ledger\u0000Loop" }));
    const r = await eva(["ventures", "create", "--file", nul]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--file ${nul}: name holds a NUL character (\\u0000)`);
    const broken = file("broken.json", '{\n  "name": "LedgerLoop",\n  "archetype": saas\n}');
    const b = await eva(["ventures", "create", "--file", broken]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("not valid JSON at line 3, column 16: a JSON value was expected");
    expect(await ventureCount()).toBe(before);
  });
});

describe("a value the database refuses, through the CLI", () => {
  it("prints EV400 naming the field, with the SQLSTATE, not PostgreSQL's wording (exit 1)", {
    timeout: 60_000,
  }, async () => {
    const before = await ventureCount();
    const flags = Object.entries(idea).flatMap(([k, v]) => [
      `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      v,
    ]);
    const r = await eva(["ventures", "create", ...flags, "--company", randomUUID()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "error: company_id (ventures) names no existing row in companies [EV400; SQLSTATE 23503]",
    );
    expect(r.stderr).not.toMatch(/violates|constraint "/);
    expect(await ventureCount()).toBe(before);
  });
});

describe("eva ideate --urls", () => {
  it("takes http(s) only: file: and javascript: are refused naming --urls", { timeout: 60_000 }, async () => {
    for (const url of [
      "file:///etc/passwd",
      "javascript:alert(document.cookie)",
      "data:text/html,hi",
      "ftp://x.example",
    ]) {
      const r = await eva(["ideate", "--path", "competitor_teardown", "--urls", url]);
      expect(r.code, url).toBe(2);
      expect(r.stderr).toContain("--urls: each --urls value must be an http(s) URL");
    }
  });

  it("is refused in SQL too: a Stage 0 brief stores http(s) competitor URLs only", async () => {
    const open = (refs: unknown) =>
      sql`insert into eva.chairman_decisions (lifecycle_stage, decision_type, recommended_action, context)
          values (0, 'venture_review', 'park', ${JSON.stringify({ brief: { name: "X", competitorRef: refs } })}::jsonb)`.execute(
        t.service,
      );
    await expect(open(["https://ok.example", "file:///etc/passwd"])).rejects.toMatchObject({
      code: "EV400",
      message: "competitorRef[1] must be an http(s) URL (https://…)",
    });
    await expect(open(["javascript:alert(1)"])).rejects.toMatchObject({ code: "EV400" });
    await expect(open(["https://competitor.example/pricing"])).resolves.toBeDefined();
  });
});

describe("PostgreSQL's refusals of a value", () => {
  const refusal = async (query: ReturnType<typeof sql>) => {
    try {
      await query.execute(t.db);
    } catch (error) {
      return { problem: inputProblem(error), text: describeDatabaseError(error) };
    }
    throw new Error("the statement was accepted");
  };

  it("name the field (EV400) for not-null, unique, check, foreign key, type, NUL and length", async () => {
    const { id: portfolio } = await t.db.selectFrom("portfolios").select("id").executeTakeFirstOrThrow();
    await sql`insert into eva.companies (portfolio_id, name) values (${portfolio}::uuid, 'Acme')`.execute(t.db);
    const cases: [ReturnType<typeof sql>, string, string | undefined, string][] = [
      [
        sql`insert into eva.companies (portfolio_id, name) values (${portfolio}::uuid, null)`,
        "23502",
        "name",
        "name is required (companies): give it a value",
      ],
      [
        sql`insert into eva.companies (portfolio_id, name) values (${portfolio}::uuid, 'Acme')`,
        "23505",
        "portfolio_id, name",
        "portfolio_id, name must be unique (companies): a row with the same values already exists",
      ],
      [
        sql`insert into eva.companies (portfolio_id, name) values (${portfolio}::uuid, '')`,
        "23514",
        "name",
        "name (companies) breaks the rule companies_name_check: change the value",
      ],
      [
        sql`insert into eva.companies (portfolio_id, name) values (${randomUUID()}::uuid, 'Other')`,
        "23503",
        "portfolio_id",
        "portfolio_id (companies) names no existing row in portfolios",
      ],
      [sql`select ${"not-a-uuid"}::uuid`, "22P02", undefined, "a value is not a valid uuid"],
      [
        sql`insert into eva.companies (portfolio_id, name) values (${portfolio}::uuid, ${"Ac\u0000me"})`,
        "22021",
        undefined,
        "a text value holds a NUL character (\\u0000) or bytes that are not UTF-8, which EVA does not store: remove them",
      ],
      [sql`select ${'{"a": "\\u0000"}'}::jsonb ->> 'a'`, "22P05", undefined, "a text value holds a NUL character"],
    ];
    for (const [query, sqlstate, field, message] of cases) {
      const { problem, text } = await refusal(query);
      expect(problem, sqlstate).toMatchObject({ code: "EV400", sqlstate, ...(field ? { field } : {}) });
      expect(text).toContain(message);
      expect(text).not.toContain("Acme");
    }
  });

  it("keep an artifact's file URL to http(s)", async () => {
    const v = await createVenture(t.db);
    const add = (url: string, version: number) =>
      sql`insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, version, content, epistemic_classification, file_url)
          values (${v.id}::uuid, 1, 'idea_brief', ${version}, '{}'::jsonb, 'assumption', ${url})`;
    for (const url of ["javascript:alert(1)", "file:///etc/passwd"]) {
      const { problem, text } = await refusal(add(url, 90));
      expect(problem).toMatchObject({ code: "EV400", sqlstate: "23514", field: "file_url" });
      expect(text).toBe(
        "file_url (venture_artifacts) breaks the rule venture_artifacts_file_url_check: change the value",
      );
    }
    await expect(add("https://docs.example/brief.pdf", 91).execute(t.db)).resolves.toBeDefined();
  });
});

describe("the GraphQL API", () => {
  let api: ApiServer;
  beforeAll(async () => {
    api = await startApiServer({ url: t.url, port: 0 });
  });
  afterAll(async () => {
    await api?.close();
  });

  interface Response {
    status: number;
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
  }
  async function gql(query: string, variables: Record<string, unknown> = {}): Promise<Response> {
    const response = await fetch(api.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/graphql-response+json, application/json",
        authorization: `Bearer ${await mintToken("chairman", 600)}`,
      },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...(JSON.parse(await response.text()) as Omit<Response, "status">) };
  }

  it("says an update or a delete that matches no row was not found (EV404), and still updates one that does", async () => {
    const missing = await gql(
      `mutation ($id: UUID!) { updateVentureByRowId(input: { rowId: $id, venturePatch: { moatStrategy: "x" } }) { venture { rowId } } }`,
      { id: randomUUID() },
    );
    expect(missing.errors?.[0]).toMatchObject({
      message: "updateVentureByRowId: no ventures row matches, so nothing was updated",
      extensions: { code: "EV404" },
    });
    expect(missing.data?.updateVentureByRowId ?? null).toBeNull();
    const gone = await gql(
      `mutation ($id: UUID!) { deleteChairmanPreferenceByRowId(input: { rowId: $id }) { deletedChairmanPreferenceId } }`,
      { id: randomUUID() },
    );
    expect(gone.errors?.[0]?.extensions?.code).toBe("EV404");
    expect(gone.errors?.[0]?.message).toContain("nothing was deleted");

    const v = await createVenture(t.db);
    const found = await gql(
      `mutation ($id: UUID!) { updateVentureByRowId(input: { rowId: $id, venturePatch: { verticalCategory: "fintech" }, clientMutationId: "m1" }) { clientMutationId venture { rowId verticalCategory } } }`,
      { id: v.id },
    );
    expect(found.errors).toBeUndefined();
    expect(found.data?.updateVentureByRowId).toEqual({
      clientMutationId: "m1",
      venture: { rowId: v.id, verticalCategory: "fintech" },
    });
  });

  it("answers constraint refusals with EV400 naming the field, not an opaque error", async () => {
    const { id: portfolio } = await t.db.selectFrom("portfolios").select("id").executeTakeFirstOrThrow();
    const create = (name: string, portfolioId = portfolio) =>
      gql(
        `mutation ($p: UUID!, $n: String!) { createCompany(input: { company: { portfolioId: $p, name: $n } }) { company { rowId } } }`,
        { p: portfolioId, n: name },
      );
    expect((await create("Globex")).errors).toBeUndefined();
    const duplicate = await create("Globex");
    expect(duplicate.status).toBe(200);
    expect(duplicate.errors?.[0]).toMatchObject({
      message: "portfolioId, name must be unique (companies): a row with the same values already exists",
      extensions: { code: "EV400", sqlstate: "23505", field: "portfolioId, name" },
    });
    expect((await create("")).errors?.[0]).toMatchObject({
      message: "name (companies) breaks the rule companies_name_check: change the value",
      extensions: { code: "EV400", sqlstate: "23514", field: "name" },
    });
    expect((await create("Initech", randomUUID())).errors?.[0]).toMatchObject({
      extensions: { code: "EV400", sqlstate: "23503", field: "portfolioId" },
    });
    const v = await createVenture(t.db);
    const fk = await gql(
      `mutation ($id: UUID!, $c: UUID!) { updateVentureByRowId(input: { rowId: $id, venturePatch: { companyId: $c } }) { venture { rowId } } }`,
      { id: v.id, c: randomUUID() },
    );
    expect(fk.errors?.[0]?.message).toBe("companyId (ventures) names no existing row in companies");
  });

  it("refuses text holding NUL before any SQL runs, naming the variable or the argument", async () => {
    const { id: portfolio } = await t.db.selectFrom("portfolios").select("id").executeTakeFirstOrThrow();
    const byVariable = await gql(
      `mutation ($c: CompanyInput!) { createCompany(input: { company: $c }) { company { rowId } } }`,
      { c: { portfolioId: portfolio, name: "Nul\u0000Corp" } },
    );
    expect(byVariable.errors?.[0]).toMatchObject({
      message: "$c.name holds a NUL character (\\u0000), which EVA does not store: remove it",
      extensions: { code: "EV400", field: "$c.name" },
    });
    const byLiteral = await gql(
      `mutation { createCompany(input: { company: { portfolioId: "${portfolio}", name: "Nul\\u0000Corp" } }) { company { rowId } } }`,
    );
    expect(byLiteral.errors?.[0]).toMatchObject({
      message: "createCompany(input.company.name) holds a NUL character (\\u0000), which EVA does not store: remove it",
      extensions: { code: "EV400" },
    });
    const stored = await t.db.selectFrom("companies").select("id").where("name", "like", "Nul%").execute();
    expect(stored).toEqual([]);
  });
});
