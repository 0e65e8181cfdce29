// eva ideate's input rules and eva chairman token, as a user runs them.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { jwtVerify } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "./helpers/database.ts";

const run = promisify(execFile);
const t = await createTestDatabase();
const scratch = mkdtempSync(join(tmpdir(), "eva-token-test-"));
afterAll(async () => {
  await t.drop();
  rmSync(scratch, { recursive: true, force: true });
});
const SECRET = "a-test-secret-that-is-at-least-32-characters-long";

async function eva(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, ["bin/eva.js", ...args], {
      env: { ...process.env, DATABASE_URL: t.url, EVA_ANALYST: "offline", EVA_JWT_SECRET: SECRET, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("eva ideate", () => {
  it("builds a brief from the manual path's flags and opens the Chairman's review", async () => {
    const r = await eva([
      "ideate",
      "--name",
      "Shelfie",
      "--description",
      "Shelf-stock photos turned into reorders for corner shops",
      "--problem-statement",
      "Corner shops run out of best sellers",
      "--target-market",
      "Independent grocers in the UK",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.brief).toMatchObject({
      name: "Shelfie",
      originType: "manual",
      rawChairmanIntent: expect.stringContaining("Shelfie"),
    });
    expect(out.epistemic).toBe("simulation");
    const d = await t.db
      .selectFrom("chairman_decisions")
      .select(["decision_type", "status", "lifecycle_stage"])
      .where("id", "=", out.decisionId)
      .executeTakeFirstOrThrow();
    expect(d).toEqual({ decision_type: "venture_review", status: "pending", lifecycle_stage: 0 });
  });

  it("names the missing flags and opens nothing", async () => {
    const before = await t.db.selectFrom("chairman_decisions").select("id").execute();
    const manual = await eva(["ideate", "--name", "Half an idea"]);
    expect(manual.code).toBe(2);
    expect(manual.stderr).toContain("--description: description is required on the manual path");
    expect(manual.stderr).toContain("--target-market: targetMarket is required on the manual path");
    const teardown = await eva(["ideate", "--path", "competitor_teardown"]);
    expect(teardown.code).toBe(2);
    expect(teardown.stderr).toContain("--urls: the competitor_teardown path needs at least one --urls");
    const badUrl = await eva(["ideate", "--path", "competitor_teardown", "--urls", "not a url"]);
    expect(badUrl.code).toBe(2);
    expect(await t.db.selectFrom("chairman_decisions").select("id").execute()).toHaveLength(before.length);
  });
});

describe("eva ideate and the ideation budget", () => {
  const shelfie = [
    "ideate",
    "--name",
    "Shelfie Two",
    "--description",
    "Shelf-stock photos turned into reorders for corner shops",
    "--problem-statement",
    "Corner shops run out of best sellers",
    "--target-market",
    "Independent grocers in the UK",
  ];

  it("charges the brief to the portfolio's ideation budget and shows what is left", async () => {
    const r = await eva([...shelfie, "--portfolio", "EVA portfolio", "--json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const row = await t.db
      .selectFrom("portfolio_ideation_budgets")
      .select(["budget_tokens", "consumed_tokens"])
      .executeTakeFirstOrThrow();
    expect(out.ideation).toEqual({
      portfolio: "EVA portfolio",
      usedTokens: Number(row.consumed_tokens),
      budgetTokens: Number(row.budget_tokens),
      remainingTokens: Number(row.budget_tokens) - Number(row.consumed_tokens),
    });
    expect(out.ideation.usedTokens).toBeGreaterThan(0);
  });

  it("refuses a brief the ideation budget cannot pay for, and a portfolio that does not exist, opening nothing", async () => {
    await t.db.updateTable("portfolio_ideation_budgets").set({ budget_tokens: 0 }).execute();
    const before = await t.db.selectFrom("chairman_decisions").select("id").execute();
    // A new idea (a repeated one is answered from the cache and costs nothing).
    const idea = shelfie.map((a) => (a === "Shelfie Two" ? "Shelfie Three" : a));
    const refused = await eva(idea);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /no brief was made: token budget: the call needs up to [\d,]+ tokens .* but the ideation budget of portfolio "EVA portfolio" \([\d,]+ of 0 tokens used\) has 0 left/,
    );
    const missing = await eva([...idea, "--portfolio", "Nowhere"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('there is no portfolio "Nowhere"');
    expect(missing.stderr).toContain("EV404");
    expect(await t.db.selectFrom("chairman_decisions").select("id").execute()).toHaveLength(before.length);
  });
});

describe("eva chairman token", () => {
  it("mints an HS256 JWT carrying the Chairman's role that verifies with the secret", async () => {
    const r = await eva(["chairman", "token", "--expires-in", "2h", "--json"]);
    expect(r.code).toBe(0);
    const { token, role } = JSON.parse(r.stdout);
    expect(role).toBe("eva_chairman");
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(SECRET), {
      audience: "eva",
      issuer: "eva",
    });
    expect(protectedHeader.alg).toBe("HS256");
    expect(payload.role).toBe("eva_chairman");
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(7200);
    await expect(jwtVerify(token, new TextEncoder().encode(`${SECRET}-other`))).rejects.toThrow();
  });

  it("mints viewer tokens, refuses unknown roles and durations, and keeps a generated secret when none is set", async () => {
    const viewer = await eva(["chairman", "token", "--role", "viewer", "--json"]);
    expect(JSON.parse(viewer.stdout).role).toBe("eva_viewer");
    expect((await eva(["chairman", "token", "--role", "service"])).code).toBe(2);
    expect((await eva(["chairman", "token", "--expires-in", "soon"])).code).toBe(2);
    const file = join(scratch, "jwt-secret");
    const first = await eva(["chairman", "token"], { EVA_JWT_SECRET: "", EVA_JWT_SECRET_FILE: file });
    const second = await eva(["chairman", "token"], { EVA_JWT_SECRET: "", EVA_JWT_SECRET_FILE: file });
    expect(first.code).toBe(0);
    const secret = new TextEncoder().encode(readFileSync(file, "utf8").trim());
    await jwtVerify(first.stdout.trim(), secret);
    await jwtVerify(second.stdout.trim(), secret);
  });
});
