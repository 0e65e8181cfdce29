// The marketing engine follows the venture's lifecycle (spec §17.15), in the
// transaction that records each stage's artifact: Stage 11's GTM plan seeds
// the channel bandit (one arm per channel, idempotently), Stage 22's release
// package starts pre-launch content — which a real graphile-worker then
// generates and brand-reviews with the offline analyst — and Stage 23's
// launch plan turns full distribution on.
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { startWorker, type WorkerHandle } from "../src/worker.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture, walkToDecision } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
let worker: WorkerHandle | undefined;

afterAll(async () => {
  await worker?.stop();
  await t.drop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, check: () => Promise<T | undefined | null | false>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const channel = (name: string, channelType: string, budget: number, primaryTier: string) => ({
  name,
  description: `${name} for ${primaryTier}`,
  budget,
  channelType,
  primaryTier,
});

const GTM = {
  customerTiers: [
    {
      name: "Solo",
      description: "d",
      size: 100,
      budget: 100,
      persona: "p",
      painPoints: ["chasing payments"],
      targetCac: 10,
    },
  ],
  channels: [
    channel("Content and SEO", "organic", 200, "Solo"),
    channel("Paid social", "paid", 500, "Solo"),
    channel("Email newsletter", "owned", 50, "Solo"),
  ],
};

async function arms(ventureId: string) {
  const { rows } = await sql<{
    scope: string;
    arm_value: string;
    alpha: string;
    beta_param: string;
    observations: number;
    in_plan: boolean;
  }>`select b.scope, a.arm_value, a.alpha::text, a.beta_param::text, a.observations, (a.metadata ->> 'in_plan')::boolean as in_plan
     from marketing.bandit_state b join marketing.bandit_arms a on a.bandit_id = b.id
     where b.venture_id = ${ventureId}::uuid order by a.arm_value`.execute(t.db);
  return rows;
}

async function marketingState(ventureId: string) {
  const { rows } = await sql<{
    distribution: string;
    channels_seeded_at: Date | null;
    full_distribution_at: Date | null;
  }>`
    select distribution, channels_seeded_at, full_distribution_at from marketing.marketing_venture_state
    where venture_id = ${ventureId}::uuid`.execute(t.db);
  return rows[0];
}

async function decide(decisionId: string, decision: string) {
  await withRole(t.db, "eva_chairman", (trx) =>
    sql`select eva.fn_decide(${decisionId}::uuid, ${decision}, 'test')`.execute(trx),
  );
}

describe("lifecycle integration", () => {
  it("Stage 11 seeds one channel arm per GTM channel; re-seeding keeps what was learned", async () => {
    const v = await createVenture(t.db);
    const brand = await walkToDecision(t.db, v.id, 10);
    expect(brand).toBeTruthy();
    expect(await arms(v.id)).toEqual([]);
    await decide(String(brand), "approve");
    await walkToDecision(t.db, v.id, 11, { 11: GTM });

    const seeded = await arms(v.id);
    expect(seeded.map((a) => [a.scope, a.arm_value, a.alpha, a.beta_param, a.observations, a.in_plan])).toEqual([
      ["channel", "Content and SEO", "1", "1", 0, true],
      ["channel", "Email newsletter", "1", "1", 0, true],
      ["channel", "Paid social", "1", "1", 0, true],
    ]);
    expect((await marketingState(v.id))?.channels_seeded_at).toBeTruthy();
    const { rows: events } = await sql<{ n: number }>`select count(*)::int as n from eva.eva_event_log
      where venture_id = ${v.id}::uuid and event_type = 'marketing.channel_arms_seeded'`.execute(t.db);
    expect(events[0]?.n).toBe(1);

    // The optimizer learns; a re-recorded plan drops one channel and adds one.
    await withRole(t.db, "eva_service", (trx) =>
      sql`update marketing.bandit_arms set alpha = 7, beta_param = 3, observations = 8
          where venture_id = ${v.id}::uuid and arm_value = 'Paid social'`.execute(trx),
    );
    const replanned = { ...GTM, channels: [...GTM.channels.slice(1), channel("Community", "organic", 0, "Solo")] };
    for (let i = 0; i < 2; i++) {
      await withRole(t.db, "eva_service", (trx) =>
        sql`select eva_private.fn_marketing_seed_channel_arms(${v.id}::uuid, ${JSON.stringify(replanned)}::jsonb)`.execute(
          trx,
        ),
      );
    }
    expect((await arms(v.id)).map((a) => [a.arm_value, a.alpha, a.beta_param, a.observations, a.in_plan])).toEqual([
      ["Community", "1", "1", 0, true],
      ["Content and SEO", "1", "1", 0, false],
      ["Email newsletter", "1", "1", 0, true],
      ["Paid social", "7", "3", 8, true],
    ]);
    const { rows: bandits } = await sql<{ n: number }>`select count(*)::int as n from marketing.bandit_state
      where venture_id = ${v.id}::uuid`.execute(t.db);
    expect(bandits[0]?.n).toBe(1);
    // Viewers read arms; they cannot change them.
    await expect(
      withRole(t.db, "eva_viewer", (trx) =>
        sql`update marketing.bandit_arms set alpha = 99 where venture_id = ${v.id}::uuid`.execute(trx),
      ),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("Stage 22 starts pre-launch content (generated and reviewed by the worker), Stage 23 activates full distribution", async () => {
    const v = await createVenture(t.db);
    const brand = await walkToDecision(t.db, v.id, 10);
    await decide(String(brand), "approve");
    const release = await walkToDecision(t.db, v.id, 22, { 11: GTM });
    expect(release).toBeTruthy();
    expect((await marketingState(v.id))?.distribution).toBe("pre_launch");
    // The stages above were recorded by this test; the content's jobs wait for a worker.
    worker = await startWorker({ url: t.url, analyst: createOfflineAnalyst(), concurrency: 2, schedule: false });

    const item = await until("the pre-launch content to be scheduled", async () => {
      const { rows } = await sql<{ id: string; lifecycle_state: string; origin: string; status: string }>`
        select id, lifecycle_state, origin, status from marketing.marketing_content where venture_id = ${v.id}::uuid`.execute(
        t.db,
      );
      return rows[0]?.lifecycle_state === "SCHEDULE" ? rows : null;
    });
    expect(item).toHaveLength(1);
    expect(item[0]).toMatchObject({ origin: "pre_launch", status: "active" });
    const { rows: tags } = await sql<{ concept_tags: string[]; epistemic: string }>`
      select concept_tags, metadata #>> '{generation,epistemic_classification}' as epistemic
      from marketing.marketing_content where venture_id = ${v.id}::uuid`.execute(t.db);
    expect(tags[0]?.epistemic).toBe("simulation");
    // The generator read Stage 11's tiers: the offline content names the tier's pain point.
    const { rows: texts } = await sql<{
      asset_text: string;
    }>`select asset_text from marketing.marketing_content_variants
      where venture_id = ${v.id}::uuid`.execute(t.db);
    expect(texts.length).toBe(10);
    expect(texts.some((x) => x.asset_text.includes("chasing payments"))).toBe(true);

    // A second Stage 22 artifact (a re-run) starts nothing new: one pre-launch item per venture.
    await expect(
      withRole(t.db, "eva_service", (trx) =>
        sql`select eva_private.fn_marketing_create_content(${v.id}::uuid, 'pre_launch')`.execute(trx),
      ),
    ).rejects.toMatchObject({ code: "23505" });

    // The stages after the release are recorded by this test again, not by the worker's stage runs.
    await worker.stop();
    worker = undefined;
    await decide(String(release), "release");
    await walkToDecision(t.db, v.id, 23);
    const state = await marketingState(v.id);
    expect(state?.distribution).toBe("full");
    expect(state?.full_distribution_at).toBeTruthy();
    const { rows: activated } = await sql<{ n: number }>`select count(*)::int as n from eva.eva_event_log
      where venture_id = ${v.id}::uuid and event_type = 'marketing.distribution_activated'`.execute(t.db);
    expect(activated[0]?.n).toBe(1);
  });
});
