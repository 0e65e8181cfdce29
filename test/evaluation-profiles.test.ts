// Stage 0's evaluation profiles (spec §16): the weighted score, resolution
// explicit → active → legacy, versions and the one active profile held by the
// database, and `eva profiles` as the Chairman runs it (bad input writes nothing).
import { sql } from "kysely";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import {
  activateProfile,
  calculateWeightedScore,
  createProfile,
  gateThreshold,
  LEGACY_GATE_THRESHOLDS,
  LEGACY_WEIGHTS,
  PROFILE_COMPONENTS,
  type ProfileWeights,
  resolveProfile,
} from "../src/ideation/profiles.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());
const eva = (...args: string[]) => runEva(args, { DATABASE_URL: t.url });
const chairman = <T>(fn: Parameters<typeof withRole<T>>[2]) => withRole(t.db, "eva_chairman", fn);

const moatFirst: ProfileWeights = {
  cross_reference: 0.05,
  portfolio_evaluation: 0.1,
  problem_reframing: 0.05,
  moat_architecture: 0.3,
  chairman_constraints: 0.15,
  time_horizon: 0.1,
  archetypes: 0.1,
  build_cost: 0.1,
  virality: 0.05,
};

const scores = {
  cross_reference: 40,
  portfolio_evaluation: 70,
  problem_reframing: 60,
  moat_architecture: 90,
  chairman_constraints: 100,
  time_horizon: 60,
  archetypes: 80,
  build_cost: 25,
  virality: 30,
};

async function clearProfiles() {
  await sql`delete from eva.evaluation_profiles`.execute(t.db);
}

describe("calculateWeightedScore", () => {
  it("is Σ weight·score over the nine components with the legacy weights", () => {
    const expected =
      0.1 * 40 + 0.1 * 70 + 0.05 * 60 + 0.15 * 90 + 0.15 * 100 + 0.1 * 60 + 0.1 * 80 + 0.1 * 25 + 0.15 * 30;
    const r = calculateWeightedScore({ weights: { ...LEGACY_WEIGHTS } }, scores);
    expect(r.score).toBe(Math.round(expected * 100) / 100);
    expect(r.missing).toEqual([]);
    // A different profile gives a different score from the same components.
    expect(calculateWeightedScore({ weights: moatFirst }, scores).score).not.toBe(r.score);
  });

  it("is deterministic whatever the order the scores come in", () => {
    const reversed = Object.fromEntries(Object.entries(scores).reverse());
    const a = calculateWeightedScore({ weights: moatFirst }, scores);
    const b = calculateWeightedScore({ weights: moatFirst }, reversed);
    expect(b).toEqual(a);
  });

  it("leaves an unscored component out (renormalised), never counting it as zero", () => {
    const { virality: _, ...withoutVirality } = scores;
    const r = calculateWeightedScore({ weights: { ...LEGACY_WEIGHTS } }, { ...withoutVirality, virality: null });
    expect(r.missing).toEqual(["virality"]);
    const full = calculateWeightedScore({ weights: { ...LEGACY_WEIGHTS } }, scores);
    const expected = (0.1 * 40 + 0.1 * 70 + 0.05 * 60 + 0.15 * 90 + 0.15 * 100 + 0.1 * 60 + 0.1 * 80 + 0.1 * 25) / 0.85;
    expect(r.score).toBe(Math.round(expected * 100) / 100);
    expect(r.score).not.toBe(full.score);
    expect(calculateWeightedScore({ weights: { ...LEGACY_WEIGHTS } }, {}).score).toBeNull();
  });

  it("clamps scores to 0-100", () => {
    const all = (s: number) => Object.fromEntries(PROFILE_COMPONENTS.map((c) => [c, s]));
    expect(calculateWeightedScore({ weights: moatFirst }, all(250)).score).toBe(100);
    expect(calculateWeightedScore({ weights: moatFirst }, all(-5)).score).toBe(0);
  });
});

describe("evaluation profiles in the database", () => {
  beforeEach(clearProfiles);

  it("resolves explicit → active → legacy", async () => {
    const none = await chairman((trx) => resolveProfile(trx));
    expect(none.source).toBe("legacy");
    expect(none.profile.weights).toEqual(LEGACY_WEIGHTS);
    expect(gateThreshold(none.profile, "16->17")).toBe(LEGACY_GATE_THRESHOLDS["16->17"]);

    const a = await chairman((trx) => createProfile(trx, { name: "moat-first", weights: moatFirst, activate: true }));
    const b = await chairman((trx) =>
      createProfile(trx, { name: "legacy-copy", weights: { ...LEGACY_WEIGHTS }, gateThresholds: { "5->6": 72 } }),
    );
    const active = await chairman((trx) => resolveProfile(trx));
    expect(active).toMatchObject({ source: "active", profile: { id: a.id, weights: moatFirst } });
    const explicit = await withRole(t.db, "eva_service", (trx) => resolveProfile(trx, "legacy-copy"));
    expect(explicit).toMatchObject({ source: "explicit", profile: { id: b.id } });
    expect(gateThreshold(explicit.profile, "5->6")).toBe(72);
    expect(gateThreshold(explicit.profile, "9->10")).toBe(LEGACY_GATE_THRESHOLDS["9->10"]);
    await expect(chairman((trx) => resolveProfile(trx, "no-such-profile"))).rejects.toThrow(/no evaluation profile/);
  });

  it("numbers versions per name and keeps one active", async () => {
    const v1 = await chairman((trx) => createProfile(trx, { name: "growth", weights: moatFirst, activate: true }));
    const v2 = await chairman((trx) => createProfile(trx, { name: "growth", weights: { ...LEGACY_WEIGHTS } }));
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v2.isActive).toBe(false);
    await chairman((trx) => activateProfile(trx, v2.id as string));
    const rows = await t.db
      .selectFrom("evaluation_profiles")
      .select(["version", "is_active"])
      .where("name", "=", "growth")
      .orderBy("version")
      .execute();
    expect(rows).toEqual([
      { version: 1, is_active: false },
      { version: 2, is_active: true },
    ]);
    // The database itself refuses a second active profile.
    await expect(
      sql`update eva.evaluation_profiles set is_active = true where name = 'growth' and version = 1`.execute(t.db),
    ).rejects.toMatchObject({ code: "23505" });
    const events = await sql<{ n: number }>`select count(*)::int as n from eva.eva_event_log
      where event_type = 'evaluation_profile.activated' and payload ->> 'profileId' = ${v2.id}`.execute(t.db);
    expect(events.rows[0]?.n).toBe(1);
  });

  it("refuses weights that do not sum to 1, unknown components and boundaries (EV400), writing nothing", async () => {
    const bad = [
      { ...moatFirst, virality: 0.5 },
      { ...moatFirst, speed: 0.1 } as unknown as ProfileWeights,
      { ...moatFirst, virality: -0.05, moat_architecture: 0.4 },
    ];
    for (const weights of bad)
      await expect(chairman((trx) => createProfile(trx, { name: "bad", weights }))).rejects.toMatchObject({
        code: "EV400",
      });
    await expect(
      chairman((trx) =>
        createProfile(trx, { name: "bad", weights: moatFirst, gateThresholds: { "3->4": 50 } as never }),
      ),
    ).rejects.toMatchObject({ code: "EV400" });
    await expect(
      chairman((trx) => createProfile(trx, { name: "bad", weights: moatFirst, gateThresholds: { "5->6": 101 } })),
    ).rejects.toMatchObject({ code: "EV400" });
    expect(await t.db.selectFrom("evaluation_profiles").select("id").execute()).toEqual([]);
    // Services read profiles but cannot write them.
    await expect(
      withRole(t.db, "eva_service", (trx) => createProfile(trx, { name: "svc", weights: moatFirst })),
    ).rejects.toMatchObject({ code: "42501" });
  });
});

describe("eva profiles", () => {
  beforeEach(clearProfiles);

  it("creates, lists, shows and activates profiles", async () => {
    const shown = await eva("profiles", "show", "--json");
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ source: "legacy", profile: { weights: LEGACY_WEIGHTS } });

    const created = await eva(
      "profiles",
      "create",
      "--name",
      "moat-first",
      "--weight",
      "moat_architecture=0.25",
      "--weight",
      "virality=0.05",
      "--gate",
      "5->6=65",
      "--json",
    );
    expect(created.code, created.stderr).toBe(0);
    const profile = JSON.parse(created.stdout);
    expect(profile).toMatchObject({
      name: "moat-first",
      version: 1,
      isActive: false,
      gateThresholds: { "5->6": 65 },
      weights: { ...LEGACY_WEIGHTS, moat_architecture: 0.25, virality: 0.05 },
    });

    const activated = await eva("profiles", "activate", "moat-first");
    expect(activated.code, activated.stderr).toBe(0);
    expect(activated.stdout).toContain(`active profile: moat-first v1 (${profile.id})`);

    const list = await eva("profiles", "list");
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+VERSION\s+ACTIVE\s+ID\s+WEIGHTS$/);
    expect(lines[1]).toMatch(/^moat-first\s+1\s+yes\s+/);
    expect(lines[1]).toContain("moat_architecture=0.25");

    const now = await eva("profiles", "show");
    expect(now.stdout).toMatch(/resolved as:\s+active/);
    expect(now.stdout).toMatch(/gate 5->6:\s+65\n/);
    expect(now.stdout).toMatch(/gate 9->10:\s+50 \(legacy default\)/);
  });

  it("refuses bad input with a clear message and writes nothing", async () => {
    const eventCount = async () =>
      (
        await sql<{ n: number }>`select count(*)::int as n from eva.eva_event_log
          where event_type like 'evaluation_profile.%'`.execute(t.db)
      ).rows[0]?.n;
    const before = await eventCount();
    const cases: [string[], RegExp][] = [
      [["profiles", "create", "--name", "x", "--weight", "moat_architecture=0.5"], /sum to 1 \(these sum to 1.35/],
      [["profiles", "create", "--name", "x", "--weight", "speed=0.1"], /--weight speed=0.1: the key must be one of/],
      [["profiles", "create", "--name", "x", "--weight", "virality=lots"], /the value must be a number/],
      [["profiles", "create", "--name", "x", "--gate", "3->4=50"], /--gate 3->4=50: the key must be one of 5->6/],
      [["profiles", "create", "--name", "x", "--gate", "5->6=150"], /--gate 5->6: /],
      [["profiles", "create", "--name", "x", "--from", "nothing"], /--from: there is no evaluation profile "nothing"/],
      [["profiles", "activate", "nothing"], /there is no evaluation profile "nothing"/],
      [["profiles", "show", "nothing"], /there is no evaluation profile "nothing"/],
    ];
    for (const [args, message] of cases) {
      const r = await eva(...args);
      expect(r.code, args.join(" ")).not.toBe(0);
      expect(r.stderr).toMatch(message);
    }
    expect(await t.db.selectFrom("evaluation_profiles").select("id").execute()).toEqual([]);
    expect(await eventCount()).toBe(before);
  });
});
