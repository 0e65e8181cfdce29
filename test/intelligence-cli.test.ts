// `eva knowledge` and `eva templates` as a user runs them: every command of
// the README's Portfolio intelligence section, pasted as it is, works (exit
// 0, something said), and a bad argument is refused with a clear reason.
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";
import { killedAtFive, ventureThrough } from "./helpers/intelligence.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());
const env = { DATABASE_URL: t.url, OPENAI_API_KEY: undefined };

/** The README section's commands, one per line, comments dropped. */
function readmeCommands(): string[][] {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("## Portfolio intelligence"));
  const block = section.slice(section.indexOf("```sh") + 5, section.indexOf("```", section.indexOf("```sh") + 5));
  return block
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter((l) => l.startsWith("npx eva "))
    .map((l) => l.slice("npx eva ".length).split(/\s+/));
}

describe("eva knowledge and eva templates", () => {
  it("runs every command of the README section as pasted", async () => {
    await createVenture(t.db, { name: "LedgerLoop" });
    for (let i = 0; i < 2; i++) await killedAtFive(t.db);
    await ventureThrough(t.db, 6);
    for (let i = 0; i < 2; i++) await ventureThrough(t.db, 5, { archetype: "marketplace" });
    const commands = readmeCommands();
    expect(commands.length).toBeGreaterThanOrEqual(10);
    for (const args of commands) {
      const resolved = args.map((a) => (a === "<template-or-source-venture>" ? "LedgerLoop" : a));
      const r = await runEva(resolved, env);
      // `templates show` of a venture that is no template is refused clearly; everything else succeeds.
      if (resolved[0] === "templates" && resolved[1] === "show") {
        expect(r.code).toBe(1);
        expect(r.stderr).toContain('no template "LedgerLoop"');
        continue;
      }
      expect({ args: resolved.join(" "), code: r.code, stderr: r.stderr }).toEqual({
        args: resolved.join(" "),
        code: 0,
        stderr: "",
      });
      expect(r.stdout.length).toBeGreaterThan(0);
    }
    const anti = await runEva(["knowledge", "anti-patterns", "--json"], env);
    expect(JSON.parse(anti.stdout)).toContainEqual(
      expect.objectContaining({ pattern_signature: "saas:5:died-here", died: 2 }),
    );
    const predict = await runEva(["knowledge", "predict", "LedgerLoop"], env);
    expect(predict.stdout).toContain("LedgerLoop from Stage 1: likeliest to die at Stage 5");
    expect(predict.stdout).toContain("anti-pattern saas:5:died-here");
  }, 300_000);

  it("refuses a venture that does not exist, and a bad stage, with a reason", async () => {
    const missing = await runEva(["knowledge", "predict", "NoSuchVenture"], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no venture "NoSuchVenture"');
    const stage = await runEva(["knowledge", "patterns", "--stage", "31"], env);
    expect(stage.code).toBe(2);
    expect(stage.stderr).toContain("--stage");
  }, 60_000);
});
