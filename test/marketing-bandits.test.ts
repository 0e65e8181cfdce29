// The learning loop in SQL (spec §17.5) on a real PostgreSQL, as eva_service:
// the reward's definitions, posteriors updated exactly by them from the
// rollups (once per window), decay and cross-venture transfer by the pinned
// numbers, no promotion before the minimum observations, contextual bandits
// keeping a winner per business-model type, selections recorded with every
// draw, the hourly allocation and the governor that holds it, the exact 95 %
// interval, the history as of a day, and the schedule choosing by Thompson.
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { applyDecay, banditArmsAt, observeRollups, snapshotArms, transferPriors } from "../src/marketing/bandits.ts";
import { scheduleCheck } from "../src/marketing/dispatch.ts";
import { materializeRollups } from "../src/tasks/marketing.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture, walkToDecision } from "./helpers/fixtures.ts";
import { scheduledContent } from "./helpers/marketing-dispatch.ts";

const t = await createTestDatabase();
afterAll(async () => {
  await t.drop();
});

const svc = t.service;

async function one<T>(query: ReturnType<typeof sql<T>>, db = svc): Promise<T> {
  const { rows } = await query.execute(db);
  if (!rows[0]) throw new Error("no row");
  return rows[0];
}

async function ensure(ventureId: string, scope: string, key: string, arms: string[]): Promise<string> {
  return (
    await one(
      sql<{
        id: string;
      }>`select marketing.fn_bandit_ensure(${ventureId}::uuid, ${scope}, ${key}, ${arms}::text[]) as id`,
    )
  ).id;
}

async function arm(banditId: string, value: string) {
  return one(sql<{
    id: string;
    alpha: string;
    beta_param: string;
    prior_alpha: string;
    prior_beta: string;
    observations: number;
    status: string;
    context_key: string;
  }>`
    select id, alpha::text, beta_param::text, prior_alpha::text, prior_beta::text, observations, status, context_key
    from marketing.bandit_arms where bandit_id = ${banditId}::uuid and arm_value = ${value}`);
}

/** Sets an arm's learned state (α, β, observations) on the superuser connection: what weeks of observations leave. */
async function learned(banditId: string, value: string, alpha: number, beta: number, observations: number) {
  await sql`update marketing.bandit_arms set alpha = ${alpha}, beta_param = ${beta}, observations = ${observations}
    where bandit_id = ${banditId}::uuid and arm_value = ${value}`.execute(t.db);
}

async function ventureIn(vertical: string, archetype: "saas" | "marketplace") {
  const v = await createVenture(t.db, { archetype });
  await sql`update eva.ventures set vertical_category = ${vertical} where id = ${v.id}::uuid`.execute(t.db);
  return v;
}

const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
let eventCounter = 0;

/**
 * Counts for one variant on one platform on a day (at noon UTC) or at an exact time (an ISO timestamp), through
 * the real ingest path (events → queued deltas).
 */
async function ingest(
  ventureId: string,
  variantId: string | null,
  contentId: string | null,
  platform: string,
  day: string,
  counts: Record<"impression" | "engagement" | "click" | "conversion", number>,
) {
  const events = Object.entries(counts).map(([type, quantity]) => {
    eventCounter += 1;
    return {
      venture_id: ventureId,
      source: platform,
      platform,
      event_type: type,
      quantity,
      occurred_at: day.includes("T") ? day : `${day}T12:00:00Z`,
      content_id: contentId,
      variant_id: variantId,
      external_id: `bandit-test-${eventCounter}`,
    };
  });
  await sql`select marketing.fn_ingest_events(${JSON.stringify(events)}::jsonb)`.execute(svc);
}

describe("the reward", () => {
  it("is 0.3 × engagements / exposures + 0.7 × conversions / clicks, each rate clamped to [0, 1], 0 without a denominator", async () => {
    const reward = (e: number, g: number, c: number, v: number) =>
      one(sql<{ engagement: string; conversion: string; reward: string }>`
        select engagement::text, conversion::text, reward::text from marketing.fn_bandit_reward(${e}, ${g}, ${c}, ${v})`);
    const a = await reward(200, 30, 20, 4);
    expect(Number(a.engagement)).toBe(0.15);
    expect(Number(a.conversion)).toBe(0.2);
    expect(Number(a.reward)).toBeCloseTo(0.3 * 0.15 + 0.7 * 0.2, 12);
    // Clickbait: many engagements, no conversion, scores below a post that converts.
    const clickbait = await reward(1000, 300, 100, 0);
    const converting = await reward(1000, 30, 10, 2);
    expect(Number(clickbait.reward)).toBeCloseTo(0.09, 12);
    expect(Number(converting.reward)).toBeCloseTo(0.3 * 0.03 + 0.7 * 0.2, 12);
    expect(Number(converting.reward)).toBeGreaterThan(Number(clickbait.reward));
    // Over-counted engagements (a platform's counters) clamp to 1; nothing seen is 0.
    expect(await reward(10, 50, 0, 3)).toEqual({ engagement: "1", conversion: "0", reward: "0.3" });
    expect(Number((await reward(0, 0, 0, 0)).reward)).toBe(0);
  });
});

describe("observations from the rollups", () => {
  it("update the posterior exactly by the reward, once per closed window, after its counts are materialized", async () => {
    const v = await createVenture(t.db);
    const { contentId, variantIds } = await scheduledContent(t.db, v.id, [
      { platform: "mastodon", text: "Invoices, matched." },
      { platform: "mastodon", text: "Stop matching invoices by hand." },
    ]);
    const [va, vb] = variantIds as [string, string];
    const variants = await ensure(v.id, "variant", `${contentId}/mastodon`, [va, vb]);
    const channels = await ensure(v.id, "channel", "", ["Mastodon", "Content and SEO"]);
    const day = yesterday();
    await ingest(v.id, va, contentId, "mastodon", day, { impression: 200, engagement: 30, click: 20, conversion: 4 });
    await ingest(v.id, vb, contentId, "mastodon", day, { impression: 100, engagement: 40, click: 10, conversion: 0 });

    // Counts still queued for the day: the window is not closed yet.
    expect(await observeRollups(svc)).toBe(0);
    await materializeRollups(svc);
    expect(await observeRollups(svc)).toBe(3);

    const ra = 0.3 * (30 / 200) + 0.7 * (4 / 20);
    const rb = 0.3 * (40 / 100) + 0.7 * 0;
    const a = await arm(variants, va);
    expect(Number(a.alpha)).toBeCloseTo(1 + 200 * ra, 10);
    expect(Number(a.beta_param)).toBeCloseTo(1 + 200 * (1 - ra), 10);
    expect(a.observations).toBe(200);
    const b = await arm(variants, vb);
    expect(Number(b.alpha)).toBeCloseTo(1 + 100 * rb, 10);
    expect(Number(b.beta_param)).toBeCloseTo(1 + 100 * (1 - rb), 10);
    // The channel arm sees the platform's whole day: 300 exposures, 70 engagements, 30 clicks, 4 conversions.
    const rc = 0.3 * (70 / 300) + 0.7 * (4 / 30);
    const c = await arm(channels, "Mastodon");
    expect(Number(c.alpha)).toBeCloseTo(1 + 300 * rc, 10);
    expect(c.observations).toBe(300);
    expect((await arm(channels, "Content and SEO")).observations).toBe(0);

    // Exactly once: a second run, or late counts for the same day, change nothing.
    expect(await observeRollups(svc)).toBe(0);
    await ingest(v.id, va, contentId, "mastodon", day, { impression: 50, engagement: 0, click: 0, conversion: 0 });
    await materializeRollups(svc);
    expect(await observeRollups(svc)).toBe(0);
    expect((await arm(variants, va)).alpha).toBe(a.alpha);

    const ledger = await one(sql<{ exposures: string; reward: string; alpha_before: string; alpha_after: string }>`
      select exposures::text, reward::text, alpha_before::text, alpha_after::text from marketing.bandit_observations
      where arm_id = ${a.id}::uuid`);
    expect(ledger).toMatchObject({ exposures: "200", alpha_before: "1", alpha_after: a.alpha });
    expect(Number(ledger.reward)).toBeCloseTo(ra, 12);
    // Today's window is open: not observed. (A second ago, or today's first instant just after midnight: noon
    // would be in the future every morning, and ingest refuses what has not happened.)
    const today = new Date().toISOString().slice(0, 10);
    const justNow = new Date(Math.max(Date.parse(`${today}T00:00:00Z`), Date.now() - 1000)).toISOString();
    await ingest(v.id, va, contentId, "mastodon", justNow, {
      impression: 10,
      engagement: 1,
      click: 1,
      conversion: 1,
    });
    await materializeRollups(svc);
    expect(await observeRollups(svc)).toBe(0);
  });
});

describe("decay and transfer by the pinned numbers", () => {
  it("decays α and β by 0.97 towards the prior, once per week", async () => {
    const v = await createVenture(t.db);
    const b = await ensure(v.id, "channel", "", ["x", "linkedin"]);
    await learned(b, "x", 11, 21, 30);
    await sql`update marketing.bandit_arms set prior_alpha = 2, prior_beta = 3, alpha = 12, beta_param = 23, observations = 30
      where bandit_id = ${b}::uuid and arm_value = 'linkedin'`.execute(t.db);
    const week = "2030-01-07";
    expect(await applyDecay(svc, week)).toBeGreaterThanOrEqual(2);
    const x = await arm(b, "x");
    expect(Number(x.alpha)).toBeCloseTo(1 + 0.97 * 10, 12);
    expect(Number(x.beta_param)).toBeCloseTo(1 + 0.97 * 20, 12);
    const li = await arm(b, "linkedin");
    expect(Number(li.alpha)).toBeCloseTo(2 + 0.97 * 10, 12);
    expect(Number(li.beta_param)).toBeCloseTo(3 + 0.97 * 20, 12);
    // Any day of that week is the same week: nothing more.
    expect(await applyDecay(svc, "2030-01-09")).toBe(0);
    expect((await arm(b, "x")).alpha).toBe(x.alpha);
  });

  it("a new venture in a cluster starts from α = 1 + 0.3 × α_cluster, β = 1 + 0.3 × β_cluster, recorded in the map", async () => {
    const s1 = await ventureIn("accounting-tools", "saas");
    const s2 = await ventureIn("accounting-tools", "saas");
    const other = await ventureIn("accounting-tools", "marketplace");
    const b1 = await ensure(s1.id, "channel", "", ["x", "LinkedIn"]);
    const b2 = await ensure(s2.id, "channel", "", ["x"]);
    const bo = await ensure(other.id, "channel", "", ["x"]);
    await learned(b1, "x", 11, 91, 100);
    await learned(b1, "LinkedIn", 31, 71, 100);
    await learned(b2, "x", 21, 81, 100);
    await learned(bo, "x", 500, 10, 500);

    const fresh = await ventureIn("accounting-tools", "saas");
    // Stage 11's seeding of the new venture's channels (names as its GTM plan writes them).
    await withRole(t.db, "eva_service", (trx) =>
      sql`select eva_private.fn_marketing_seed_channel_arms(${fresh.id}::uuid,
        ${JSON.stringify({ channels: [{ name: "x" }, { name: "linkedin" }, { name: "Podcasts" }] })}::jsonb)`.execute(
        trx,
      ),
    );
    await transferPriors(svc, fresh.id);
    const fb = (
      await one(sql<{ id: string }>`select id from marketing.bandit_state where venture_id = ${fresh.id}::uuid
      and scope = 'channel'`)
    ).id;
    // x: the mean of the saas sources' own evidence (11, 91) and (21, 81); the marketplace venture is another cluster.
    const x = await arm(fb, "x");
    expect(Number(x.alpha)).toBeCloseTo(1 + 0.3 * 16, 12);
    expect(Number(x.beta_param)).toBeCloseTo(1 + 0.3 * 86, 12);
    expect([Number(x.prior_alpha), Number(x.prior_beta)]).toEqual([Number(x.alpha), Number(x.beta_param)]);
    const li = await arm(fb, "linkedin");
    expect(Number(li.alpha)).toBeCloseTo(1 + 0.3 * 31, 12);
    expect(Number(li.beta_param)).toBeCloseTo(1 + 0.3 * 71, 12);
    // No source for podcasts: it stays at the uniform prior.
    expect([(await arm(fb, "Podcasts")).alpha, (await arm(fb, "Podcasts")).beta_param]).toEqual(["1", "1"]);

    const map = await sql<{
      source_venture_id: string;
      cluster_key: string;
      prior_strength: string;
      priors: Record<string, { alpha: number }>;
      source_arms: Record<string, string[]>;
    }>`
      select source_venture_id, cluster_key, prior_strength::text, priors, source_arms from marketing.intelligence_transfer_map
      where target_venture_id = ${fresh.id}::uuid order by source_venture_id`.execute(t.db);
    expect(map.rows.map((r) => r.source_venture_id).sort()).toEqual([s1.id, s2.id].sort());
    expect(map.rows[0]).toMatchObject({ cluster_key: "accounting-tools/saas", prior_strength: "0.3" });
    expect(Number(map.rows[0]?.priors.x?.alpha)).toBeCloseTo(5.8, 12);
    expect(map.rows[0]?.source_arms.x).toHaveLength(2);
    // Entering a cluster happens once: the next weekly run leaves the bandit alone.
    expect(await transferPriors(svc, fresh.id)).toBe(0);
  });

  it("Stage 11's channel seeding starts a venture entering a learned cluster from the transferred prior", async () => {
    const source = await ventureIn("payroll", "saas");
    await learned(await ensure(source.id, "channel", "", ["Paid social"]), "Paid social", 41, 161, 200);
    const v = await ventureIn("payroll", "saas");
    const brand = await walkToDecision(t.db, v.id, 10);
    await withRole(t.db, "eva_chairman", (trx) =>
      sql`select eva.fn_decide(${brand}::uuid, 'approve', 'test')`.execute(trx),
    );
    await walkToDecision(t.db, v.id, 11, {
      11: { channels: [{ name: "Paid social", channelType: "paid", budget: 500, primaryTier: "Solo" }] },
    });
    const seeded = await one(sql<{ alpha: string; beta_param: string; prior_alpha: string; observations: number }>`
      select a.alpha::text, a.beta_param::text, a.prior_alpha::text, a.observations from marketing.bandit_arms a
      join marketing.bandit_state b on b.id = a.bandit_id
      where b.venture_id = ${v.id}::uuid and b.scope = 'channel' and a.arm_value = 'Paid social'`);
    expect(Number(seeded.alpha)).toBeCloseTo(1 + 0.3 * 41, 12);
    expect(Number(seeded.beta_param)).toBeCloseTo(1 + 0.3 * 161, 12);
    expect(seeded.prior_alpha).toBe(seeded.alpha);
    expect(seeded.observations).toBe(0);
  });

  it("contextual bandits keep a different winner per business-model type", async () => {
    const saas = await ventureIn("devtools", "saas");
    const market = await ventureIn("devtools", "marketplace");
    await learned(await ensure(saas.id, "channel", "", ["x", "linkedin"]), "x", 301, 701, 1000);
    await learned(
      (await one(sql<{ id: string }>`select id from marketing.bandit_state where venture_id = ${saas.id}::uuid`)).id,
      "linkedin",
      101,
      901,
      1000,
    );
    const mb = await ensure(market.id, "channel", "", ["x", "linkedin"]);
    await learned(mb, "x", 101, 901, 1000);
    await learned(mb, "linkedin", 301, 701, 1000);

    const newSaas = await ventureIn("devtools", "saas");
    const newMarket = await ventureIn("devtools", "marketplace");
    const ns = await ensure(newSaas.id, "channel", "", ["x", "linkedin"]);
    const nm = await ensure(newMarket.id, "channel", "", ["x", "linkedin"]);
    expect((await arm(ns, "x")).context_key).toBe("saas");
    expect((await arm(nm, "x")).context_key).toBe("marketplace");
    await transferPriors(svc);
    const picks = async (bandit: string) => {
      const { rows } = await sql<{ arm_value: string; n: number }>`
        select (x.s).arm_value, count(*)::int as n
        from (select marketing.fn_bandit_select(${bandit}::uuid, 'test') as s from generate_series(1, 200) offset 0) x
        group by 1`.execute(svc);
      return Object.fromEntries(rows.map((r) => [r.arm_value, r.n]));
    };
    const s = await picks(ns);
    const m = await picks(nm);
    expect(s.x ?? 0).toBeGreaterThan(180);
    expect(m.linkedin ?? 0).toBeGreaterThan(180);
    // 200 selections each, every one recorded with its own draws.
    const recorded = await sql<{ n: number; distinct_draws: number }>`
      select count(*)::int as n, count(distinct samples)::int as distinct_draws from marketing.bandit_selections
      where bandit_id in (${ns}::uuid, ${nm}::uuid)`.execute(t.db);
    expect(recorded.rows[0]).toEqual({ n: 400, distinct_draws: 400 });
  });
});

describe("Champion-Challenger", () => {
  it("promotes nothing before 100 observations per arm, then the winner, and retires the underperformer", async () => {
    const v = await createVenture(t.db);
    const b = await ensure(v.id, "channel", "", ["x", "bluesky", "mastodon"]);
    await learned(b, "x", 60, 40, 99);
    await learned(b, "bluesky", 5, 95, 150);
    await learned(b, "mastodon", 50, 50, 150);
    const promote = () => one(sql<{ n: number }>`select marketing.fn_bandit_promote(${b}::uuid) as n`).then((r) => r.n);
    // x is far ahead, but has 99 observations: no promotion. Bluesky (150, far behind) may be retired already.
    await promote();
    expect((await arm(b, "x")).status).toBe("challenger");
    expect((await arm(b, "mastodon")).status).toBe("challenger");
    expect((await arm(b, "bluesky")).status).toBe("retired");

    await learned(b, "x", 70, 30, 100);
    expect(await promote()).toBeGreaterThanOrEqual(2);
    expect((await arm(b, "x")).status).toBe("champion");
    expect((await arm(b, "mastodon")).status).toBe("retired");
    const events = await sql<{ event_type: string }>`select event_type from eva.eva_event_log
      where venture_id = ${v.id}::uuid and event_type like 'marketing.bandit_arm_%' order by id`.execute(t.db);
    expect(events.rows.map((e) => e.event_type)).toEqual([
      "marketing.bandit_arm_retired",
      "marketing.bandit_arm_promoted",
      "marketing.bandit_arm_retired",
    ]);
    // Retired arms are never selected again.
    for (let i = 0; i < 5; i++) {
      const s = await one(
        sql<{ arm_value: string }>`select arm_value from marketing.fn_bandit_select(${b}::uuid, 'test')`,
      );
      expect(s.arm_value).toBe("x");
    }
  });
});

describe("selection", () => {
  it("records every draw with the posterior it came from, the highest wins", async () => {
    const v = await createVenture(t.db);
    const b = await ensure(v.id, "send_time", "x", ["09:00", "13:00", "17:00"]);
    await learned(b, "13:00", 3, 9, 10);
    const s = await one(sql<{
      id: string;
      arm_id: string;
      arm_value: string;
      scope: string;
      samples: { arm_id: string; arm_value: string; alpha: number; beta: number; sample: number }[];
    }>`
      select * from marketing.fn_bandit_select(${b}::uuid, 'test')`);
    expect(s.scope).toBe("send_time");
    expect(s.samples.map((x) => x.arm_value).sort()).toEqual(["09:00", "13:00", "17:00"]);
    const best = s.samples.reduce((m, x) => (x.sample > m.sample ? x : m));
    expect(best.arm_id).toBe(s.arm_id);
    expect(s.samples.find((x) => x.arm_value === "13:00")).toMatchObject({ alpha: 3, beta: 9 });
    for (const x of s.samples) expect(x.sample).toBeGreaterThan(0);
    expect((await arm(b, s.arm_value)).observations).toBeGreaterThanOrEqual(0);
    const last = await one(sql<{ last_selected_at: Date | null }>`select last_selected_at from marketing.bandit_arms
      where id = ${s.arm_id}::uuid`);
    expect(last.last_selected_at).not.toBeNull();
  });

  it("the schedule sends one variant per content item and platform, chosen by Thompson, at a slot chosen the same way", async () => {
    const v = await createVenture(t.db);
    await ensure(v.id, "send_time", "mastodon", ["21:00"]);
    const { contentId, variantIds } = await scheduledContent(t.db, v.id, [
      { platform: "mastodon", text: "Invoices, matched." },
      { platform: "mastodon", text: "Stop matching invoices by hand." },
      { platform: "bluesky", text: "Invoices, matched, on Bluesky." },
    ]);
    await scheduleCheck(svc);
    await scheduleCheck(svc);
    const { rows } = await sql<{ id: string; variant_id: string; platform: string; due_at: Date }>`
      select id, variant_id, platform, due_at from marketing.marketing_dispatches where content_id = ${contentId}::uuid
      order by platform`.execute(t.db);
    expect(rows.map((r) => r.platform)).toEqual(["bluesky", "mastodon"]);
    const mastodon = rows[1] as (typeof rows)[number];
    expect(variantIds.slice(0, 2)).toContain(mastodon.variant_id);
    expect(new Date(mastodon.due_at).toISOString()).toMatch(/T21:00:00\.000Z$/);
    // Bluesky has no send-time bandit: its default slot (15:00 UTC).
    expect(new Date((rows[0] as (typeof rows)[number]).due_at).toISOString()).toMatch(/T15:00:00\.000Z$/);
    const sel = await sql<{
      scope: string;
      arm_value: string;
      samples: unknown[];
      selection_probability: string;
      probability_draws: number;
    }>`
      select scope, arm_value, samples, selection_probability::text, probability_draws from marketing.bandit_selections
      where subject_id = ${mastodon.id}::uuid order by scope`.execute(t.db);
    expect(sel.rows.map((r) => [r.scope, r.arm_value, r.samples.length, r.probability_draws])).toEqual([
      ["send_time", "21:00", 1, 500],
      ["variant", mastodon.variant_id, 2, 500],
    ]);
    // The propensity of each decision: the only slot was certain; two untried variants are a coin toss.
    expect(Number(sel.rows[0]?.selection_probability)).toBe(1);
    expect(Number(sel.rows[1]?.selection_probability)).toBeGreaterThan(0.35);
    expect(Number(sel.rows[1]?.selection_probability)).toBeLessThan(0.65);
  });
});

describe("launch", () => {
  it("Stage 23's launch plan seeds a send-time bandit per platform: the pinned slots and the platform's default", async () => {
    const v = await createVenture(t.db);
    await sql`insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, version, content, epistemic_classification)
      values (${v.id}::uuid, 23, 'launch_plan', 1, '{}', 'simulation')`.execute(t.db);
    const { rows } = await sql<{ scope_key: string; slots: string[] }>`
      select b.scope_key, array_agg(a.arm_value order by a.arm_value) as slots from marketing.bandit_state b
      join marketing.bandit_arms a on a.bandit_id = b.id where b.venture_id = ${v.id}::uuid and b.scope = 'send_time'
      group by b.scope_key order by b.scope_key`.execute(t.db);
    expect(rows.map((r) => r.scope_key)).toEqual([
      "bluesky",
      "linkedin",
      "mastodon",
      "threads",
      "tiktok",
      "x",
      "youtube",
    ]);
    expect(rows.find((r) => r.scope_key === "x")?.slots).toEqual(["09:00", "13:00", "14:00", "17:00", "21:00"]);
    expect(rows.find((r) => r.scope_key === "threads")?.slots).toEqual(["09:00", "13:00", "17:00", "21:00"]);
    const { contentId } = await scheduledContent(t.db, v.id, [{ platform: "x", text: "Launch day." }]);
    await scheduleCheck(svc);
    const d = await one(
      sql<{ due_at: Date }>`select due_at from marketing.marketing_dispatches where content_id = ${contentId}::uuid`,
    );
    expect(new Date(d.due_at).toISOString()).toMatch(/T(09|13|14|17|21):00:00\.000Z$/);
  });
});

describe("the hourly allocation and the governor", () => {
  it("shifts the budget to the channel that samples best, keeps the floor, stays under each cap, and the governor holds it", async () => {
    const v = await createVenture(t.db);
    await withRole(t.db, "eva_chairman", async (trx) => {
      await sql`select marketing.fn_set_channel_budget(${v.id}::uuid, 'x', 1000)`.execute(trx);
      await sql`select marketing.fn_set_channel_budget(${v.id}::uuid, 'linkedin', 1000)`.execute(trx);
    });
    const b = await ensure(v.id, "channel", "", ["X (Twitter)", "LinkedIn ads", "Content and SEO"]);
    await learned(b, "X (Twitter)", 400, 600, 1000);
    await learned(b, "LinkedIn ads", 100, 900, 1000);
    const n = await one(sql<{ n: number }>`select marketing.fn_bandit_allocate_channels(${v.id}::uuid) as n`);
    expect(n.n).toBe(2);
    const { rows } = await sql<{
      platform: string;
      share: string;
      allocated_cents: string;
      pool_cents: string;
      probability_best: string;
    }>`
      select platform, share::text, allocated_cents::text, pool_cents::text, probability_best::text
      from marketing.bandit_channel_allocations where venture_id = ${v.id}::uuid order by platform`.execute(t.db);
    expect(rows.map((r) => r.platform)).toEqual(["linkedin", "x"]);
    const [li, x] = rows as [(typeof rows)[number], (typeof rows)[number]];
    expect(Number(x.probability_best)).toBe(1);
    expect(Number(x.share)).toBeCloseTo(0.02 + 0.96 * 1, 6);
    expect(Number(li.share)).toBeCloseTo(0.02, 6);
    expect(x.pool_cents).toBe("2000");
    expect(x.allocated_cents).toBe("1000"); // 0.98 × 2000, held at x's own cap
    expect(li.allocated_cents).toBe("40");
    const governor = (platform: string, cents: number) =>
      one(
        sql<{ r: string | null }>`select eva_private.fn_marketing_governor(${v.id}::uuid, ${platform}, ${cents}) as r`,
      );
    expect((await governor("linkedin", 30)).r).toBeNull();
    expect((await governor("linkedin", 50)).r).toMatch(
      /^channel allocation: linkedin has spent \$0\.00 of the \$0\.40/,
    );
    expect((await governor("x", 50)).r).toBeNull();
  });
});

describe("the history and the interval", () => {
  it("reads the arms as of a past day from the daily snapshots, with the exact 95 % Beta interval", async () => {
    const v = await createVenture(t.db);
    const b = await ensure(v.id, "channel", "", ["x"]);
    await learned(b, "x", 10, 20, 28);
    expect(await snapshotArms(svc, "2026-03-03")).toBeGreaterThanOrEqual(1);
    await learned(b, "x", 40, 60, 98);
    await snapshotArms(svc, "2026-03-05");
    await learned(b, "x", 41, 60, 99);

    const march3 = await banditArmsAt(t.db, v.id, { at: "2026-03-03" });
    expect(march3).toHaveLength(1);
    expect(march3[0]).toMatchObject({ armValue: "x", alpha: 10, beta: 20, observations: 28, asOf: "2026-03-03" });
    // scipy.stats.beta.ppf(0.025 / 0.975, 10, 20)
    expect(march3[0]?.intervalLow).toBeCloseTo(0.17938364923511, 10);
    expect(march3[0]?.intervalHigh).toBeCloseTo(0.50832335380999, 10);
    expect(march3[0]?.posteriorMean).toBeCloseTo(1 / 3, 12);
    expect((await banditArmsAt(t.db, v.id, { at: "2026-03-04" }))[0]).toMatchObject({ alpha: 10, asOf: "2026-03-03" });
    expect((await banditArmsAt(t.db, v.id, { at: "2026-03-06" }))[0]).toMatchObject({ alpha: 40, asOf: "2026-03-05" });
    expect(await banditArmsAt(t.db, v.id, { at: "2026-03-01" })).toEqual([]);
    const live = await banditArmsAt(t.db, v.id);
    expect(live[0]).toMatchObject({ alpha: 41, beta: 60, observations: 99 });
    expect(await banditArmsAt(t.db, v.id, { scope: "variant" })).toEqual([]);

    const q = (p: number, a: number, b2: number) =>
      one(sql<{ x: number }>`select marketing.fn_beta_quantile(${p}, ${a}, ${b2}) as x`).then((r) => r.x);
    expect(await q(0.3, 1, 1)).toBeCloseTo(0.3, 12);
    expect(await q(0.3, 2, 1)).toBeCloseTo(Math.sqrt(0.3), 12);
    expect(await q(0.9, 1, 4)).toBeCloseTo(1 - (1 - 0.9) ** (1 / 4), 12);
    // scipy.stats.beta.ppf(0.975, 20000, 80000) and ppf(0.025, 0.5, 0.5)
    expect(await q(0.975, 20000, 80000)).toBeCloseTo(0.2024848405358, 10);
    expect(await q(0.025, 0.5, 0.5)).toBeCloseTo(0.001541333133436, 12);
    await expect(q(1.5, 1, 1)).rejects.toMatchObject({ code: "EV400" });
  });
});
