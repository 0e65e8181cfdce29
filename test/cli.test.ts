// The eva command as a user runs it: a real process against a real database.
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "./helpers/database.ts";

const run = promisify(execFile);
const t = await createTestDatabase();
const scratch = mkdtempSync(join(tmpdir(), "eva-cli-test-"));
afterAll(async () => {
  await t.drop();
  rmSync(scratch, { recursive: true, force: true });
});

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function eva(args: string[], env: Record<string, string | undefined> = { DATABASE_URL: t.url }): Promise<Result> {
  const environment: Record<string, string | undefined> = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete environment[k];
  try {
    const { stdout, stderr } = await run(process.execPath, ["bin/eva.js", ...args], {
      env: environment,
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const idea = {
  name: "LedgerLoop",
  description: "An invoice reconciliation assistant for small accounting firms that drown in paperwork.",
  problemStatement: "Small firms lose hours every week matching invoices to payments.",
  valueProp: "Matches every invoice to its payment automatically, with an audit trail.",
  targetMarket: "EU accounting firms with 2-20 staff",
  archetype: "saas",
  keyAssumptions: ["Firms pay 49 EUR a month", "Bank feeds are available"],
};

const flags = (i: typeof idea) => [
  "--name",
  i.name,
  "--description",
  i.description,
  "--problem-statement",
  i.problemStatement,
  "--value-prop",
  i.valueProp,
  "--target-market",
  i.targetMarket,
  "--archetype",
  i.archetype,
  ...i.keyAssumptions.flatMap((a) => ["--key-assumptions", a]),
];

async function ventureCount(): Promise<number> {
  const row = await t.db
    .selectFrom("ventures")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe("eva ventures", () => {
  it("creates a venture at Stage 1 from kebab-case flags, with its Draft Idea artifact", async () => {
    const r = await eva(["ventures", "create", ...flags(idea), "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const created = JSON.parse(r.stdout);
    expect(created).toMatchObject({ name: "LedgerLoop", status: "active", stage: 1, stageName: "Draft Idea" });
    const artifact = await t.db
      .selectFrom("venture_artifacts")
      .select(["artifact_type", "version", "content", "epistemic_classification"])
      .where("venture_id", "=", created.id)
      .executeTakeFirstOrThrow();
    expect(artifact).toMatchObject({ artifact_type: "idea_brief", version: 1, epistemic_classification: "assumption" });
    expect(artifact.content).toMatchObject({
      problemStatement: idea.problemStatement,
      keyAssumptions: idea.keyAssumptions,
      sourceProvenance: { problemStatement: "user" },
    });
  });

  it("creates a venture from --file, flags overriding the file", async () => {
    const file = join(scratch, "venture.json");
    writeFileSync(file, JSON.stringify({ ...idea, name: "From File", archetype: "fintech" }));
    const r = await eva(["ventures", "create", "--file", file, "--name", "Flag Wins", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: "Flag Wins", archetype: "fintech" });
  });

  it("refuses bad input, naming each wrong field by its flag, and writes nothing", async () => {
    const before = await ventureCount();
    const r = await eva([
      "ventures",
      "create",
      ...flags({ ...idea, name: "Too Short", description: "tiny" }).filter(
        (a) => a !== "--value-prop" && a !== idea.valueProp,
      ),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--description (description): description must be at least 50 characters");
    expect(r.stderr).toContain("--value-prop (valueProp): value proposition is required");
    expect(await ventureCount()).toBe(before);
  });

  it("refuses an unknown archetype and unknown fields in a file", async () => {
    const bad = await eva(["ventures", "create", ...flags({ ...idea, name: "Bad Arch", archetype: "crypto" })]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/archetype.*crypto.*saas/s);
    const file = join(scratch, "typo.json");
    writeFileSync(file, JSON.stringify({ ...idea, name: "Typo", problemStatment: "oops" }));
    const typo = await eva(["ventures", "create", "--file", file]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("problemStatment: not a Stage 1 field");
  });

  it("refuses a duplicate name with the database's own error and code", async () => {
    const r = await eva(["ventures", "create", ...flags({ ...idea, name: "ledgerloop" })]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('a venture named "ledgerloop" already exists');
    expect(r.stderr).toContain("[EV409]");
  });

  it("lists and shows ventures, as text and as JSON", async () => {
    const list = JSON.parse((await eva(["ventures", "list", "--json"])).stdout);
    expect(list.map((v: { name: string }) => v.name)).toEqual(expect.arrayContaining(["LedgerLoop", "Flag Wins"]));
    const filtered = JSON.parse((await eva(["ventures", "list", "--stage", "2", "--json"])).stdout);
    expect(filtered).toEqual([]);
    const text = await eva(["ventures", "list"]);
    expect(text.stdout).toMatch(/^NAME\s+STATUS\s+STAGE/m);
    expect(text.stdout).toMatch(/LedgerLoop\s+active\s+1\s+Draft Idea/);

    const shown = JSON.parse((await eva(["ventures", "show", "ledgerloop", "--json"])).stdout);
    expect(shown.summary.name).toBe("LedgerLoop");
    expect(shown.stageWork).toEqual([{ stage: 1, run: 1, status: "ready", gateDecision: null, blockedReason: null }]);
    expect(shown.history.map((e: { event: string }) => e.event)).toEqual(["venture.created", "artifact.created"]);
    expect(shown.statusReason).toMatch(/^venture created/);
    const page = (await eva(["ventures", "show", "ledgerloop"])).stdout;
    // An active venture's reason is not shown; its events are listed without task-contract bookkeeping.
    expect(page).not.toMatch(/^why:/m);
    expect(page).toContain("recent events (task-contract bookkeeping left out)");
    const missing = await eva(["ventures", "show", "nobody"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no venture "nobody"');
  });
});

describe("eva --help", () => {
  it.each([
    [[], "ventures"],
    [["db"], "migrate"],
    [["db", "migrate"], "re-apply db/functions"],
    [["db", "reset"], "--yes"],
    [["ventures"], "create"],
    [["ventures", "create"], "--problem-statement"],
    [["ventures", "list"], "--status"],
    [["ventures", "show"], "by id or name"],
    [["start"], "--once"],
  ])("eva %j --help explains itself", async (args, expected) => {
    const r = await eva([...args, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(expected);
  });
});

describe("eva db", () => {
  it("migrate is idempotent from the command line", async () => {
    const r = await eva(["db", "migrate", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ applied: [] });
  });

  it("reset refuses without --yes and changes nothing", async () => {
    const before = await ventureCount();
    const r = await eva(["db", "reset"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--yes");
    expect(await ventureCount()).toBe(before);
  });

  it("with no DATABASE_URL, runs an embedded PostgreSQL, migrates it twice and leaves no server behind", async () => {
    const dataDir = join(scratch, "embedded");
    // As root the server runs as OS user postgres, which must be able to enter the folder.
    chmodSync(scratch, 0o755);
    const env = { DATABASE_URL: undefined, EVA_DATA_DIR: dataDir };
    const first = await eva(["db", "migrate", "--json"], env);
    expect(first.stderr).toContain("starting the embedded PostgreSQL");
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).applied.length).toBeGreaterThan(0);
    const second = await eva(["db", "migrate", "--json"], env);
    expect(JSON.parse(second.stdout).applied).toEqual([]);
    const list = await eva(["ventures", "list", "--json"], env);
    expect(JSON.parse(list.stdout)).toEqual([]);
    const ps = await run("ps", ["-eo", "args"]);
    expect(ps.stdout).not.toContain(dataDir);
  });

  it.skipIf(process.getuid?.() !== 0)("as root, explains a data folder the postgres user cannot reach", async () => {
    const locked = mkdtempSync(join(tmpdir(), "eva-locked-"));
    try {
      const r = await eva(["db", "migrate"], { DATABASE_URL: undefined, EVA_DATA_DIR: join(locked, "data") });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`cannot enter ${locked}`);
      expect(r.stderr).toContain("EVA_DATA_DIR");
    } finally {
      rmSync(locked, { recursive: true, force: true });
    }
  });
});
