// Marketing events and their daily rollups: the one writer
// (marketing.fn_ingest_events: all or none, bad rows named, duplicates stored
// once, bots marked, last-touch attribution), the append-only partitioned
// table under the partition manager, incremental rollups (a re-run changes
// nothing, a late event re-rolls only its day, the incremental result equals
// a rebuild from the events), the rollups as venture metrics, and Stage 24 of
// a launched venture reading them as facts.
import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import type { MarketingEvent } from "../src/marketing/webhooks.ts";
import { runStageWork } from "../src/orchestration/stage-engine.ts";
import { parseStageContext, toStageContext } from "../src/stages/context.ts";
import { stage25 } from "../src/stages/stage-25.ts";
import { materializeRollups } from "../src/tasks/marketing.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
afterAll(async () => {
  await t.drop();
});

const ingest = async (events: unknown[]) => {
  const { rows } = await sql<{
    n: number;
  }>`select marketing.fn_ingest_events(${JSON.stringify(events)}::jsonb) as n`.execute(t.service);
  return rows[0]?.n;
};
const refusal = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string };
  }
  throw new Error("expected a refusal");
};
const eventCount = async (ventureId: string) =>
  Number(
    (
      await sql<{
        n: string;
      }>`select count(*) as n from marketing.marketing_events where venture_id = ${ventureId}::uuid`.execute(t.db)
    ).rows[0]?.n,
  );

interface Rollup {
  xmin: string;
  rollup_date: string;
  platform: string;
  content_id: string | null;
  variant_id: string | null;
  impressions: string;
  engagements: string;
  clicks: string;
  conversions: string;
  revenue_cents: string;
  bot_events: string;
  ctr: string;
  conversion_rate: string;
}
const rollups = async (ventureId: string) =>
  (
    await sql<Rollup>`select xmin::text, rollup_date::text, platform, content_id, variant_id, impressions::text, engagements::text,
      clicks::text, conversions::text, revenue_cents::text, bot_events::text, ctr::text, conversion_rate::text
      from marketing.marketing_daily_rollups where venture_id = ${ventureId}::uuid
      order by rollup_date, platform, content_id nulls first, variant_id nulls first`.execute(t.db)
  ).rows;
const rebuild = async (from: string, to: string, ventureId: string) =>
  (
    await sql<{ r: { rowsChanged: number; rowsRemoved: number } }>`
      select marketing.fn_rebuild_rollups(${from}::date, ${to}::date, ${ventureId}::uuid) as r`.execute(t.service)
  ).rows[0]?.r;

const day = (offset: number, hour = 12) => {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + offset);
  d.setUTCHours(hour, 0, 0, 0);
  return d;
};
const iso = (d: Date) => d.toISOString();
const dateOf = (d: Date) => d.toISOString().slice(0, 10);

function event(ventureId: string, over: Partial<MarketingEvent> = {}): MarketingEvent {
  return {
    venture_id: ventureId,
    source: "bluesky",
    platform: "bluesky",
    event_type: "impression",
    quantity: 1,
    occurred_at: iso(day(-1)),
    external_id: randomUUID(),
    ...over,
  };
}

describe("marketing.fn_ingest_events", () => {
  it("refuses a batch with bad rows by name and stores none of it", async () => {
    const v = await createVenture(t.db);
    const error = await refusal(
      ingest([
        event(v.id),
        { ...event(v.id), event_type: "like" },
        { ...event(v.id), occurred_at: "yesterday" },
        { ...event(v.id), venture_id: randomUUID() },
        { ...event(v.id), colour: "red" },
        { ...event(v.id), occurred_at: iso(new Date(Date.now() + 3_600_000)) },
      ]),
    );
    expect(error.code).toBe("EV400");
    expect(error.message).toContain("row 2: event_type must be impression");
    expect(error.message).toContain(
      'row 3: occurred_at must be a date and time (ISO 8601, e.g. 2026-11-30T09:00:00Z), not "yesterday"',
    );
    expect(error.message).toContain('row 5: unknown field "colour"');
    expect(await eventCount(v.id)).toBe(0);
    // Rows that look right but name no venture or the future: still refused, still nothing stored.
    const second = await refusal(ingest([event(v.id), { ...event(v.id), venture_id: randomUUID() }]));
    expect(second.code).toBe("EV400");
    expect(second.message).toMatch(/row 2: venture [0-9a-f-]+ does not exist/);
    const third = await refusal(ingest([{ ...event(v.id), occurred_at: iso(new Date(Date.now() + 3_600_000)) }]));
    expect(third.message).toContain("is in the future");
    expect(await eventCount(v.id)).toBe(0);
  });

  it("stores a duplicate (same source, external_id, occurred_at) once, in the batch or later", async () => {
    const v = await createVenture(t.db);
    const one = event(v.id, { external_id: "post-1:likes:2026" });
    expect(await ingest([one, one, event(v.id)])).toBe(2);
    expect(await ingest([one])).toBe(0);
    expect(await eventCount(v.id)).toBe(2);
  });

  it("is append-only: an update or delete is refused; the table is under the partition manager", async () => {
    const v = await createVenture(t.db);
    await ingest([event(v.id)]);
    const update = await refusal(
      sql`update marketing.marketing_events set quantity = 5 where venture_id = ${v.id}::uuid`.execute(t.db),
    );
    expect(update.code).toBe("EV430");
    expect(update.message).toContain("marketing_events rows are immutable");
    const del = await refusal(
      sql`delete from marketing.marketing_events where venture_id = ${v.id}::uuid`.execute(t.db),
    );
    expect(del.code).toBe("EV430");
    // eva_service cannot write it directly at all.
    const direct = await refusal(
      sql`insert into marketing.marketing_events (venture_id, source, event_type, occurred_at, external_id)
        values (${v.id}::uuid, 'x', 'click', now(), 'direct')`.execute(t.service),
    );
    expect(direct.code).toBe("42501");
    const { rows: policy } = await sql<{ keep_months: number }>`
      select keep_months from eva_private.partition_policies where table_name = 'marketing.marketing_events'`.execute(
      t.db,
    );
    expect(policy[0]?.keep_months).toBe(24);
    const { rows: parts } = await sql<{ partition_name: string }>`
      select partition_name from eva_private.fn_partitions() where table_name = 'marketing.marketing_events' and not is_default`.execute(
      t.db,
    );
    const month = new Date().toISOString().slice(0, 7).replace("-", "");
    expect(parts.map((p) => p.partition_name)).toContain(`eva_partitions.marketing_events_p${month}`);
    // An event of a month older than the partitions made ahead gets its own month, not the DEFAULT partition.
    const old = new Date();
    old.setUTCMonth(old.getUTCMonth() - 5, 15);
    await ingest([event(v.id, { occurred_at: iso(old) })]);
    const { rows: inDefault } = await sql<{
      n: string;
    }>`select count(*) as n from eva_partitions.marketing_events_default`.execute(t.db);
    expect(Number(inDefault[0]?.n)).toBe(0);
    // Older than retention (24 months): refused.
    const ancient = await refusal(ingest([event(v.id, { occurred_at: "2020-01-01T00:00:00Z" })]));
    expect(ancient.message).toContain("older than the events kept");
  });
});

describe("daily rollups", () => {
  it("materialize: bots left out, a re-run changes nothing, a late event re-rolls only its day, equal to a rebuild", async () => {
    const v = await createVenture(t.db);
    const content = randomUUID();
    const variant = randomUUID();
    const yesterday = day(-1);
    const twoDaysAgo = day(-2);
    const tagged = { content_id: content, variant_id: variant };
    await ingest([
      event(v.id, { ...tagged, quantity: 1000, occurred_at: iso(twoDaysAgo) }),
      event(v.id, { ...tagged, event_type: "click", quantity: 40, occurred_at: iso(twoDaysAgo) }),
      event(v.id, { ...tagged, quantity: 500 }),
      event(v.id, { ...tagged, event_type: "engagement", quantity: 25 }),
      event(v.id, { ...tagged, event_type: "click", quantity: 10 }),
      // A Mastodon instance fetching the link preview: stored, never counted.
      event(v.id, {
        ...tagged,
        source: "eva",
        event_type: "click",
        properties: { user_agent: "Mastodon/4.3.2 (http.rb/5.2.0; +https://mastodon.example/)" },
      }),
    ]);
    await materializeRollups(t.service);
    const first = await rollups(v.id);
    expect(first.map((r) => [r.rollup_date, r.impressions, r.engagements, r.clicks, r.bot_events])).toEqual([
      [dateOf(twoDaysAgo), "1000", "0", "40", "0"],
      [dateOf(yesterday), "500", "25", "10", "1"],
    ]);
    expect(Number(first[1]?.ctr)).toBeCloseTo(0.02, 10);

    // Nothing new: a re-run writes no row (same row versions).
    const again = await materializeRollups(t.service);
    expect(again).toMatchObject({ deltas: 0, rows: 0, metricsRecorded: 0 });
    expect(await rollups(v.id)).toEqual(first);
    // A rebuild of those days from the events finds them right and writes nothing either.
    expect(await rebuild(dateOf(twoDaysAgo), dateOf(yesterday), v.id)).toMatchObject({
      rowsChanged: 0,
      rowsRemoved: 0,
    });
    expect(await rollups(v.id)).toEqual(first);

    // A late event for two days ago: only that day's row changes.
    await ingest([event(v.id, { ...tagged, event_type: "click", quantity: 5, occurred_at: iso(twoDaysAgo) })]);
    const late = await materializeRollups(t.service);
    expect(late).toMatchObject({ deltas: 1, rows: 1, days: [{ venture_id: v.id, rollup_date: dateOf(twoDaysAgo) }] });
    const after = await rollups(v.id);
    expect(after[0]).toMatchObject({ clicks: "45" });
    expect(after[0]?.xmin).not.toBe(first[0]?.xmin);
    expect(after[1]).toEqual(first[1]);
    // The incremental result is what the events say.
    expect(await rebuild(dateOf(twoDaysAgo), dateOf(yesterday), v.id)).toMatchObject({
      rowsChanged: 0,
      rowsRemoved: 0,
    });
  });

  it("last-touch attribution: a conversion goes to the variant of its UTM parameters, else of the visitor's latest click", async () => {
    const v = await createVenture(t.db);
    const content = randomUUID();
    const [a, b] = [randomUUID(), randomUUID()];
    await ingest([
      event(v.id, {
        content_id: content,
        variant_id: a,
        event_type: "click",
        occurred_at: iso(day(-1, 8)),
        properties: { distinct_id: "visitor-1" },
      }),
      event(v.id, {
        content_id: content,
        variant_id: b,
        event_type: "click",
        occurred_at: iso(day(-1, 9)),
        properties: { distinct_id: "visitor-1" },
      }),
      // A scanner's click after that is not a touch.
      event(v.id, {
        content_id: content,
        variant_id: a,
        event_type: "click",
        occurred_at: iso(day(-1, 10)),
        properties: { distinct_id: "visitor-1", user_agent: "Mozilla/5.0 (compatible; Barracuda Sentinel)" },
      }),
    ]);
    await ingest([
      // Visitor 1 converts without UTM parameters: their last (human) click was on variant b.
      event(v.id, {
        source: "posthog",
        platform: null,
        event_type: "conversion",
        occurred_at: iso(day(-1, 11)),
        properties: { distinct_id: "visitor-1" },
        revenue_cents: 4900,
      }),
      // Another converts through a tagged link of variant a (utm_source = the platform).
      event(v.id, {
        source: "posthog",
        platform: null,
        event_type: "conversion",
        occurred_at: iso(day(-1, 11)),
        properties: { distinct_id: "visitor-2", utm_source: "bluesky", utm_content: a },
      }),
      // And one nobody can attribute.
      event(v.id, {
        source: "posthog",
        platform: null,
        event_type: "conversion",
        occurred_at: iso(day(-1, 11)),
        properties: { distinct_id: "visitor-3" },
      }),
    ]);
    const { rows } = await sql<{
      variant_id: string | null;
      platform: string | null;
      attribution: string;
      revenue_cents: string;
    }>`
      select variant_id, platform, properties ->> 'attribution' as attribution, revenue_cents::text from marketing.marketing_events
      where venture_id = ${v.id}::uuid and event_type = 'conversion' order by properties ->> 'distinct_id'`.execute(
      t.db,
    );
    expect(rows).toEqual([
      { variant_id: b, platform: "bluesky", attribution: "last_touch_click", revenue_cents: "4900" },
      { variant_id: a, platform: "bluesky", attribution: "last_touch_utm", revenue_cents: "0" },
      { variant_id: null, platform: null, attribution: "none", revenue_cents: "0" },
    ]);
    await materializeRollups(t.service);
    const byVariant = new Map((await rollups(v.id)).map((r) => [r.variant_id, r]));
    expect(byVariant.get(b)).toMatchObject({
      content_id: content,
      clicks: "1",
      conversions: "1",
      revenue_cents: "4900",
    });
    expect(byVariant.get(a)).toMatchObject({ content_id: content, clicks: "1", conversions: "1", bot_events: "1" });
    expect(Number(byVariant.get(a)?.conversion_rate)).toBe(1);
    expect(byVariant.get(null)).toMatchObject({ platform: "unknown", conversions: "1" });
  });
});

describe("rollups as venture metrics", () => {
  const LAUNCH_PLAN = {
    launchType: "beta",
    goDecision: "go",
    successCriteria: [{ metric: "paying firms", target: "100", measurementWindow: "12 months", priority: "primary" }],
  };

  it("the day's totals are recorded once (source marketing_rollup); Stage 24 of a launched venture reads them as facts", async () => {
    const v = await createVenture(t.db);
    await sql`update eva.venture_stage_work set status = 'completed', completed_at = now() where venture_id = ${v.id}`.execute(
      t.db,
    );
    await sql`insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, validation_status, epistemic_classification)
      values (${v.id}, 23, 'launch_plan', ${JSON.stringify(LAUNCH_PLAN)}::jsonb, 'validated', 'simulation')`.execute(
      t.db,
    );
    await sql`update eva.ventures set current_lifecycle_stage = 24 where id = ${v.id}`.execute(t.db);

    const variant = randomUUID();
    await ingest([
      event(v.id, { variant_id: variant, quantity: 2000 }),
      event(v.id, { variant_id: variant, event_type: "click", quantity: 50 }),
      event(v.id, { source: "mastodon", platform: "mastodon", variant_id: randomUUID(), quantity: 1000 }),
      event(v.id, {
        source: "posthog",
        platform: null,
        event_type: "conversion",
        properties: { utm_content: variant, utm_source: "bluesky" },
      }),
    ]);
    const result = await materializeRollups(t.service);
    expect(result).toMatchObject({ metricsRecorded: 7 });
    const metrics = async () =>
      (
        await sql<{ metric_name: string; category: string; value: string; source: string }>`
          select metric_name, category::text, value::text, source from eva.venture_metrics where venture_id = ${v.id}::uuid
          order by metric_name`.execute(t.db)
      ).rows;
    const recorded = await metrics();
    expect(recorded.map((m) => [m.metric_name, m.category, Number(m.value)])).toEqual([
      ["Marketing attributed revenue (cents, UTC day)", "revenue", 0],
      ["Marketing click-through rate (%)", "acquisition", 1.67],
      ["Marketing clicks (UTC day)", "acquisition", 50],
      ["Marketing conversion rate (%)", "activation", 2],
      ["Marketing conversions (UTC day)", "activation", 1],
      ["Marketing engagements (UTC day)", "acquisition", 0],
      ["Marketing impressions (UTC day)", "acquisition", 3000],
    ]);
    expect(new Set(recorded.map((m) => m.source))).toEqual(new Set(["marketing_rollup"]));
    // A rebuild of the day finds nothing to change and records nothing again.
    await rebuild(dateOf(day(-1)), dateOf(day(-1)), v.id);
    expect(await metrics()).toHaveLength(7);

    const { rows } = await sql<{
      id: string;
    }>`insert into eva.venture_stage_work (venture_id, lifecycle_stage, run_number, status)
      values (${v.id}, 24, 1, 'ready') returning id`.execute(t.db);
    const outcome = await runStageWork(t.service, createOfflineAnalyst(), rows[0]?.id as string);
    expect(outcome.outcome).toBe("advanced");
    const { rows: artifacts } = await sql<{
      content: {
        aarrr: Record<string, { name: string; value: number; label: string; source: string }[]>;
        measurement: { basis: string };
      };
    }>`
      select content from eva.venture_artifacts where venture_id = ${v.id}::uuid and artifact_type = 'launch_scorecard' and is_current`.execute(
      t.db,
    );
    const scorecard = artifacts[0]?.content;
    expect(scorecard?.measurement.basis).toBe("measured");
    const acquisition = new Map(scorecard?.aarrr.acquisition?.map((m) => [m.name, m]));
    expect(acquisition.get("Marketing impressions (UTC day)")).toMatchObject({
      value: 3000,
      label: "fact",
      source: "marketing_rollup",
    });
    expect(acquisition.get("Marketing clicks (UTC day)")).toMatchObject({ value: 50, label: "fact" });
    expect(scorecard?.aarrr.activation?.find((m) => m.name === "Marketing conversions (UTC day)")).toMatchObject({
      value: 1,
      label: "fact",
    });

    // Stage 25's review reads that scorecard: the marketing performance is in what it weighs (spec §17.15).
    const { rows: review } = await sql<{ id: string }>`
      select id from eva.venture_stage_work where venture_id = ${v.id}::uuid and lifecycle_stage = 25 and status = 'ready'`.execute(
      t.db,
    );
    expect(review).toHaveLength(1);
    const { rows: ctxRows } = await sql<{
      c: unknown;
    }>`select eva.fn_stage_context(${review[0]?.id}::uuid) as c`.execute(t.db);
    const { user } = stage25.prompt(toStageContext(parseStageContext(ctxRows[0]?.c)));
    expect(user).toContain("Marketing impressions (UTC day)");
    expect(user).toContain("marketing_rollup");
  });
});

describe("eva marketing rollups", () => {
  it("--refresh rolls up what is queued and prints the venture's days; --json the rows; a bad date is a usage error", async () => {
    const v = await createVenture(t.db);
    const variant = randomUUID();
    await ingest([
      event(v.id, { variant_id: variant, quantity: 300 }),
      event(v.id, { variant_id: variant, event_type: "click", quantity: 6 }),
    ]);
    const env = { DATABASE_URL: t.url };
    const json = await runEva(["marketing", "rollups", v.name, "--refresh", "--json"], env);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({
        date: dateOf(day(-1)),
        platform: "bluesky",
        variantId: variant,
        impressions: 300,
        clicks: 6,
        ctr: 0.02,
      }),
    ]);
    const table = await runEva(["marketing", "rollups", v.id, "--from", dateOf(day(-3)), "--to", dateOf(day(0))], env);
    expect(table.stdout).toMatch(/DAY\s+PLATFORM\s+VARIANT\s+IMPRESSIONS/);
    expect(table.stdout).toContain("2.00%");
    const bad = await runEva(["marketing", "rollups", v.id, "--from", "yesterday"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--from must be a date (YYYY-MM-DD, UTC), not "yesterday"');
  });
});
