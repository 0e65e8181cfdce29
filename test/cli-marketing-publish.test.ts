// eva marketing publish | dispatches | dispatch | budgets | reddit as the
// Chairman runs them: a dry-run publish without credentials (labelled), a
// live publish to a local Mastodon-speaking server that a repeat does not
// post again, the outbox and attempts read back, a budget set and listed.
import { afterAll, beforeAll, expect, it } from "vitest";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";
import { launchDistribution, scheduledContent } from "./helpers/marketing-dispatch.ts";
import { type SocialServer, startMastodonServer } from "./helpers/social-servers.ts";

const t = await createTestDatabase();
let mastodon: SocialServer;
beforeAll(async () => {
  mastodon = await startMastodonServer("cli-token");
});
afterAll(async () => {
  await mastodon.close();
  await t.drop();
});

const offline = {
  DATABASE_URL: t.url,
  EVA_MASTODON_URL: undefined,
  EVA_MASTODON_TOKEN: undefined,
  EVA_BLUESKY_IDENTIFIER: undefined,
  EVA_X_ACCESS_TOKEN: undefined,
};

it("publishes without credentials as a labelled dry run, and live to a Mastodon-speaking server only once", async () => {
  const v = await createVenture(t.db);
  await launchDistribution(t.db, v.id, "full");
  const { variantIds } = await scheduledContent(t.db, v.id, [
    { platform: "bluesky", text: "Dry run from the CLI" },
    { platform: "mastodon", text: "Live from the CLI" },
  ]);

  const dry = await runEva(["marketing", "publish", variantIds[0] as string], offline);
  expect(dry.code).toBe(0);
  expect(dry.stderr).toContain("bluesky: dry run (no credentials)");
  expect(dry.stdout).toMatch(/status:\s+dry_run — dry_run: not posted \(no credentials for this platform\)/);

  const env = { ...offline, EVA_MASTODON_URL: mastodon.url, EVA_MASTODON_TOKEN: "cli-token" };
  const first = await runEva(
    ["marketing", "publish", variantIds[1] as string, "--platform", "mastodon", "--json"],
    env,
  );
  expect(first.code).toBe(0);
  const a = JSON.parse(first.stdout);
  expect(a).toMatchObject({ status: "posted", mode: "live" });
  const second = await runEva(
    ["marketing", "publish", variantIds[1] as string, "--platform", "mastodon", "--json"],
    env,
  );
  const b = JSON.parse(second.stdout);
  expect(b).toMatchObject({ dispatchId: a.dispatchId, status: "posted", platformPostId: a.platformPostId });
  expect(mastodon.posts.filter((p) => p.text === "Live from the CLI")).toHaveLength(1);

  const list = await runEva(["marketing", "dispatches", v.name, "--json"], offline);
  const rows = JSON.parse(list.stdout) as { platform: string; status: string }[];
  expect(rows.map((r) => [r.platform, r.status]).sort()).toEqual([
    ["bluesky", "dry_run"],
    ["mastodon", "posted"],
  ]);
  const one = await runEva(["marketing", "dispatch", a.dispatchId, "--json"], offline);
  expect(JSON.parse(one.stdout).attempts).toEqual([
    expect.objectContaining({ attempt: 1, action: "publish", mode: "live", outcome: "posted" }),
  ]);

  const bad = await runEva(["marketing", "publish", variantIds[1] as string, "--platform", "myspace"], offline);
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toContain('unknown platform "myspace"');
}, 120_000);

it("the Chairman sets a budget and reads it back; Reddit is switched per venture", async () => {
  const v = await createVenture(t.db);
  const set = await runEva(["marketing", "budgets", "set", v.name, "x", "25", "--stop-loss", "3"], offline);
  expect(set.code).toBe(0);
  expect(set.stdout).toContain(`${v.name} x: $25.00 a month, stop-loss 3× the daily average, active`);
  const list = await runEva(["marketing", "budgets", v.name, "--json"], offline);
  expect(JSON.parse(list.stdout)).toEqual([
    expect.objectContaining({ platform: "x", monthlyBudgetCents: "2500", stopLossMultiplier: "3", status: "active" }),
  ]);
  const reddit = await runEva(["marketing", "reddit", "enable", v.name], offline);
  expect(reddit.stdout).toBe(`Reddit enabled for ${v.name}\n`);
}, 60_000);
