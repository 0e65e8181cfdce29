// The content lifecycle (spec §17.10) and its two analyses, against a real
// PostgreSQL and a real OpenAI-speaking HTTP server: every move through
// marketing.fn_content_transition with EVA's SQLSTATEs for the refused ones,
// a bare UPDATE of the state refused for every role, a failed brand review
// sending the content back to GENERATE with its feedback once before it is
// scheduled, the loop limit blocking content, the offline analyst labelled
// simulation, RLS as the real roles, and the platform accounts' refusal of
// anything that looks like a secret.
import { sql } from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Database, withRole } from "../src/db/client.ts";
import { createOfflineAnalyst } from "../src/llm/offline-analyst.ts";
import { createOpenAIAnalyst } from "../src/llm/openai-analyst.ts";
import { runContentGeneration, runContentReview, runContentToSchedule } from "../src/marketing/content-pipeline.ts";
import { PLATFORM_LIMITS, type Platform, textLength } from "../src/marketing/platform-limits.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { type FakeOpenAIServer, reply, startFakeOpenAIServer } from "./helpers/fake-openai-server.ts";
import { createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
let server: FakeOpenAIServer;

beforeAll(async () => {
  server = await startFakeOpenAIServer();
});
afterAll(async () => {
  await server?.close();
  await t.drop();
});
beforeEach(() => server.reset());

async function requestContent(ventureId: string, role: "eva_chairman" | "eva_service" = "eva_chairman") {
  return withRole(t.db, role, async (trx) => {
    const { rows } = await sql<{ id: string; lifecycle_state: string }>`
      select id, lifecycle_state from marketing.fn_request_content_generation(${ventureId}::uuid)`.execute(trx);
    return rows[0] as { id: string; lifecycle_state: string };
  });
}

async function transition(db: Database, contentId: string, to: string, detail: object = {}) {
  const { rows } = await sql<{ lifecycle_state: string; cycle: number }>`
    select lifecycle_state, cycle from marketing.fn_content_transition(${contentId}::uuid, ${to}, ${JSON.stringify(detail)}::jsonb)`.execute(
    db,
  );
  return rows[0];
}

async function content(id: string) {
  const { rows } = await sql<{
    lifecycle_state: string;
    status: string;
    blocked_reason: string | null;
    cycle: number;
    generation: number;
    review_loops: number;
    metadata: Record<string, unknown>;
  }>`select * from marketing.marketing_content where id = ${id}::uuid`.execute(t.db);
  return rows[0];
}

async function history(id: string) {
  const { rows } = await sql<{
    from_state: string;
    to_state: string;
    detail: Record<string, unknown>;
    event_id: string;
  }>`
    select from_state, to_state, detail, event_id from marketing.marketing_content_transitions
    where content_id = ${id}::uuid order by id`.execute(t.db);
  return rows;
}

async function variants(id: string, generation?: number) {
  const { rows } = await sql<{
    id: string;
    platform: Platform;
    variant_key: string;
    asset_text: string;
    headline: string;
  }>`
    select id, platform, variant_key, asset_text, headline from marketing.marketing_content_variants
    where content_id = ${id}::uuid and (${generation ?? null}::int is null or generation = ${generation ?? null}::int)
    order by platform, variant_key`.execute(t.db);
  return rows;
}

/** A model's generation for the given platforms; `long` makes the X variant overrun its 280 limit. */
function generation(name: string, platforms: Platform[], options: { long?: boolean } = {}) {
  return {
    angle: `${name} for busy firms`,
    conceptTags: ["launch", "time_saved"],
    variants: platforms.flatMap((platform) =>
      ["a", "b"].map((variantKey) => ({
        platform,
        variantKey,
        headline: `${name} matches invoices for you`,
        body:
          options.long && platform === "x"
            ? `${name} reads every invoice and every payment. `.repeat(12)
            : `${name} matches each invoice to its payment, with an audit trail.`,
        cta: "Join the early list",
        visualBrief: "an accountant closing a laptop at five; calm; 16:9",
        claims: [],
      })),
    ),
  };
}

const PASS = {
  brandVoice: { matches: true, notes: "plain, helpful, matches the brand's calm tone" },
  claims: [],
  verdict: "pass",
  feedback: [],
};

const model = () =>
  createOpenAIAnalyst({ apiKey: "k", baseURL: server.baseURL, model: "content-model", maxRetries: 0 });
const DEFAULT: Platform[] = ["bluesky", "linkedin", "mastodon", "threads", "x"];

describe("the content lifecycle", () => {
  it("moves only along the state machine; refused moves carry EVA's SQLSTATEs and change nothing", async () => {
    const v = await createVenture(t.db);
    const c = await requestContent(v.id);
    expect(c.lifecycle_state).toBe("IDEATE");
    await expect(
      withRole(t.db, "eva_service", (trx) => transition(trx, "00000000-0000-4000-8000-000000000000", "GENERATE")),
    ).rejects.toMatchObject({
      code: "EV404",
    });
    await expect(withRole(t.db, "eva_service", (trx) => transition(trx, c.id, "PUBLISHED"))).rejects.toMatchObject({
      code: "EV400",
    });
    await expect(withRole(t.db, "eva_service", (trx) => transition(trx, c.id, "REVIEW"))).rejects.toMatchObject({
      code: "EV409",
      message: expect.stringContaining("it can go to GENERATE only, not REVIEW"),
    });
    await expect(withRole(t.db, "eva_service", (trx) => transition(trx, c.id, "SCHEDULE"))).rejects.toMatchObject({
      code: "EV409",
    });
    expect((await content(c.id))?.lifecycle_state).toBe("IDEATE");
    expect(await history(c.id)).toHaveLength(0);

    await withRole(t.db, "eva_service", (trx) => transition(trx, c.id, "GENERATE"));
    // GENERATE → REVIEW needs the generator's variants.
    await expect(withRole(t.db, "eva_service", (trx) => transition(trx, c.id, "REVIEW"))).rejects.toMatchObject({
      code: "EV409",
    });
    const row = await content(c.id);
    expect(row?.lifecycle_state).toBe("GENERATE");
    expect(row?.metadata.lifecycle_state).toBe("GENERATE");
  });

  it("refuses a bare UPDATE of the state from every role, and a viewer reads but cannot act", async () => {
    const v = await createVenture(t.db);
    const c = await requestContent(v.id);
    for (const role of ["eva_chairman", "eva_service", "eva_viewer"] as const) {
      await expect(
        withRole(t.db, role, (trx) =>
          sql`update marketing.marketing_content set lifecycle_state = 'SCHEDULE' where id = ${c.id}::uuid`.execute(
            trx,
          ),
        ),
      ).rejects.toMatchObject({ code: "42501" });
    }
    // Even the owner (and a superuser) goes through the function: the guard trigger holds for everyone.
    await expect(
      sql`update marketing.marketing_content set lifecycle_state = 'SCHEDULE' where id = ${c.id}::uuid`.execute(t.db),
    ).rejects.toMatchObject({ code: "EV403", message: expect.stringContaining("fn_content_transition") });
    await expect(
      sql`delete from marketing.marketing_content where id = ${c.id}::uuid`.execute(t.db),
    ).rejects.toMatchObject({
      code: "EV430",
    });

    const seen = await withRole(t.db, "eva_viewer", async (trx) => {
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from marketing.marketing_content where id = ${c.id}::uuid`.execute(trx);
      return rows[0]?.n;
    });
    expect(seen).toBe(1);
    await expect(withRole(t.db, "eva_viewer", (trx) => transition(trx, c.id, "GENERATE"))).rejects.toMatchObject({
      code: "42501",
    });
    await expect(
      withRole(t.db, "eva_viewer", (trx) =>
        sql`select marketing.fn_request_content_generation(${v.id}::uuid)`.execute(trx),
      ),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(
      withRole(t.db, "eva_anonymous", (trx) => sql`select count(*) from marketing.marketing_content`.execute(trx)),
    ).rejects.toMatchObject({
      code: "42501",
    });
    expect((await content(c.id))?.lifecycle_state).toBe("IDEATE");
  });

  it("refuses a request for an unknown venture with EV404 and writes nothing", async () => {
    const before = await sql<{ n: number }>`select count(*)::int as n from marketing.marketing_content`.execute(t.db);
    await expect(
      withRole(t.db, "eva_chairman", (trx) =>
        sql`select marketing.fn_request_content_generation('00000000-0000-4000-8000-000000000000'::uuid)`.execute(trx),
      ),
    ).rejects.toMatchObject({ code: "EV404" });
    const after = await sql<{ n: number }>`select count(*)::int as n from marketing.marketing_content`.execute(t.db);
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });
});

describe("generation and brand review through a model", () => {
  it("goes IDEATE → GENERATE → REVIEW → GENERATE → REVIEW → SCHEDULE when the first review fails, then on to the next cycle", async () => {
    const v = await createVenture(t.db, { name: "Tallyfy Test" });
    const c = await requestContent(v.id);
    const analyst = model();
    server.enqueue(
      reply.json(generation(v.name, DEFAULT, { long: true }), { prompt_tokens: 900, completion_tokens: 700 }),
    );

    const first = await runContentGeneration(t.service, analyst, c.id);
    expect(first).toMatchObject({ outcome: "reviewing", generation: 1, variants: 10 });
    // The code's checks fail the over-long X variants: no model call for the review.
    const review1 = await runContentReview(t.service, analyst, c.id);
    expect(review1.outcome).toBe("regenerate");
    expect(server.requests).toHaveLength(1);
    const afterFail = await content(c.id);
    expect(afterFail).toMatchObject({ lifecycle_state: "GENERATE", review_loops: 1, generation: 1 });
    const feedback = afterFail?.metadata.review_feedback as string[];
    expect(feedback.some((f) => f.startsWith("x variant a is") && f.includes("x allows 280"))).toBe(true);

    // The rewrite's prompt carries the review's feedback.
    server.enqueue(reply.json(generation(v.name, DEFAULT), { prompt_tokens: 950, completion_tokens: 600 }));
    server.enqueue(reply.json(PASS, { prompt_tokens: 800, completion_tokens: 60 }));
    expect(await runContentGeneration(t.service, analyst, c.id)).toMatchObject({ outcome: "reviewing", generation: 2 });
    const rewritePrompt = server.requests[1]?.body.messages.map((m) => m.content).join("\n") ?? "";
    expect(rewritePrompt).toContain("The brand review sent the previous version back");
    expect(rewritePrompt).toContain("x allows 280");
    expect(await runContentReview(t.service, analyst, c.id)).toMatchObject({ outcome: "scheduled", generation: 2 });
    expect(server.requests).toHaveLength(3);

    const steps = await history(c.id);
    expect(steps.map((s) => `${s.from_state}→${s.to_state}`)).toEqual([
      "IDEATE→GENERATE",
      "GENERATE→REVIEW",
      "REVIEW→GENERATE",
      "GENERATE→REVIEW",
      "REVIEW→SCHEDULE",
    ]);
    expect(steps[2]?.detail.feedback).toEqual(feedback);
    // Every transition is an event in EVA's log.
    const { rows: events } = await sql<{ id: string; payload: { from: string; to: string } }>`
      select id, payload from eva.eva_event_log where event_type = 'marketing.content_transitioned'
        and payload ->> 'content_id' = ${c.id} order by id`.execute(t.db);
    expect(events.map((e) => `${e.payload.from}→${e.payload.to}`)).toEqual(
      steps.map((s) => `${s.from_state}→${s.to_state}`),
    );
    expect(events.map((e) => String(e.id))).toEqual(steps.map((s) => String(s.event_id)));

    // The reviews: the first failed by code (a measured fact), the second passed by the model (an assumption).
    const { rows: reviews } = await sql<{
      passed: boolean;
      epistemic_classification: string;
      checks: { check: string; outcome: string }[];
    }>`
      select passed, epistemic_classification, checks from marketing.marketing_content_reviews
      where content_id = ${c.id}::uuid order by generation`.execute(t.db);
    expect(reviews.map((r) => [r.passed, r.epistemic_classification])).toEqual([
      [false, "fact"],
      [true, "assumption"],
    ]);
    expect(reviews[1]?.checks.find((x) => x.check === "brand_voice")?.outcome).toBe("pass");

    // The live generation fits every platform's limit; tokens are charged to the venture as content.
    const live = await variants(c.id, 2);
    expect(live.map((r) => `${r.platform}:${r.variant_key}`)).toEqual(DEFAULT.flatMap((p) => [`${p}:a`, `${p}:b`]));
    for (const row of live) {
      expect(textLength(row.platform, row.asset_text)).toBeLessThanOrEqual(PLATFORM_LIMITS[row.platform].text);
    }
    const { rows: charged } = await sql<{ tokens: number; n: number }>`
      select sum(prompt_tokens + completion_tokens)::int as tokens, count(*)::int as n
      from eva.venture_budget_transactions where venture_id = ${v.id}::uuid and purpose = 'content'`.execute(t.db);
    expect(charged[0]).toEqual({ tokens: 900 + 700 + 950 + 600 + 800 + 60, n: 3 });
    const { rows: contracts } = await sql<{ action: string; status: string }>`
      select action, status::text from eva.agent_task_contracts where venture_id = ${v.id}::uuid order by created_at`.execute(
      t.db,
    );
    expect(contracts).toEqual([
      { action: "content_generate", status: "completed" },
      { action: "content_review", status: "completed" },
      { action: "content_generate", status: "completed" },
      { action: "content_review", status: "completed" },
    ]);

    // A repeated job finds the work done.
    expect(await runContentReview(t.service, analyst, c.id)).toMatchObject({ outcome: "noop" });
    expect(server.requests).toHaveLength(3);

    // Dispatch, measurement and optimisation follow, and OPTIMIZE starts the next cycle.
    await withRole(t.db, "eva_service", async (trx) => {
      await transition(trx, c.id, "DISPATCH", { dispatches: 10 });
      await transition(trx, c.id, "MEASURE");
      await transition(trx, c.id, "OPTIMIZE");
      expect(await transition(trx, c.id, "IDEATE")).toEqual({ lifecycle_state: "IDEATE", cycle: 2 });
    });
    const next = await content(c.id);
    expect(next).toMatchObject({ cycle: 2, review_loops: 0 });
    expect(next?.metadata.review_feedback).toBeNull();
  });

  it("refuses to loop back without feedback, and blocks content whose review fails past the loop limit", async () => {
    const v = await createVenture(t.db, { name: "Loopy Test" });
    const c = await requestContent(v.id);
    const analyst = model();
    await sql`update eva_private.settings set value = '1' where key = 'marketing.max_review_loops'`.execute(t.db);
    try {
      server.enqueue(reply.json(generation(v.name, DEFAULT, { long: true })));
      await runContentGeneration(t.service, analyst, c.id);
      await expect(
        withRole(t.db, "eva_service", (trx) => transition(trx, c.id, "GENERATE", { feedback: [] })),
      ).rejects.toMatchObject({ code: "EV400" });
      await expect(withRole(t.db, "eva_service", (trx) => transition(trx, c.id, "SCHEDULE"))).rejects.toMatchObject({
        code: "EV409",
      });
      expect((await runContentReview(t.service, analyst, c.id)).outcome).toBe("regenerate");
      server.enqueue(reply.json(generation(v.name, DEFAULT, { long: true })));
      await runContentGeneration(t.service, analyst, c.id);
      const blocked = await runContentReview(t.service, analyst, c.id);
      expect(blocked).toMatchObject({ outcome: "blocked" });
      const row = await content(c.id);
      expect(row).toMatchObject({ status: "blocked", lifecycle_state: "REVIEW" });
      expect(row?.blocked_reason).toMatch(/the brand review failed 2 times in cycle 1: x variant a is/);
      await expect(
        withRole(t.db, "eva_service", (trx) => transition(trx, c.id, "GENERATE", { feedback: ["again"] })),
      ).rejects.toMatchObject({
        code: "EV409",
      });
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from eva.eva_event_log
        where event_type = 'marketing.content_blocked' and payload ->> 'content_id' = ${c.id}`.execute(t.db);
      expect(rows[0]?.n).toBe(1);
      // The Chairman hears of it in the daily digest.
      const { rows: told } = await sql<{ urgency: string; summary: string }>`select urgency::text, summary
        from eva.notifications where notification_type = 'marketing.content_blocked' and venture_id = ${v.id}::uuid`.execute(
        t.db,
      );
      expect(told).toHaveLength(1);
      expect(told[0]?.urgency).toBe("daily");
      expect(told[0]?.summary).toContain(
        `Loopy Test: marketing content ${c.id} is blocked in REVIEW: the brand review failed`,
      );
    } finally {
      await sql`update eva_private.settings set value = '3' where key = 'marketing.max_review_loops'`.execute(t.db);
    }
  });

  it("a claim without evidence sends the content back, naming the claim", async () => {
    const v = await createVenture(t.db, { name: "Claimy Test" });
    const c = await requestContent(v.id);
    const analyst = model();
    const g = generation(v.name, DEFAULT);
    const first = g.variants[0];
    if (first) first.body = `${v.name} saves 10 hours a week for every firm.`;
    server.enqueue(reply.json(g));
    await runContentGeneration(t.service, analyst, c.id);
    const r = await runContentReview(t.service, analyst, c.id);
    expect(r.outcome).toBe("regenerate");
    expect((r as { feedback: string[] }).feedback.join("\n")).toContain('claims "10 hours" with no evidence');
  });
});

describe("circuit breakers", () => {
  it("counts failed generation calls on the venture's breaker; once it is open the step makes no call and its job waits", async () => {
    const v = await createVenture(t.db, { name: "Breaker Test" });
    const c = await requestContent(v.id);
    const analyst = model();
    server.setFallback(reply.error(500, "upstream down"));
    for (let i = 0; i < 3; i++) {
      await expect(runContentGeneration(t.service, analyst, c.id)).rejects.toMatchObject({ name: "AnalysisFailed" });
    }
    const calls = server.requests.length;
    const { rows: breaker } = await sql<{ state: string; consecutive_failures: number }>`
      select state::text, consecutive_failures from eva.venture_circuit_breakers
      where venture_id = ${v.id}::uuid and service = 'llm'`.execute(t.db);
    expect(breaker[0]).toEqual({ state: "open", consecutive_failures: 3 });
    const deferred = await runContentGeneration(t.service, analyst, c.id);
    expect(deferred).toMatchObject({ outcome: "deferred" });
    expect(server.requests.length).toBe(calls);
    const { rows: jobs } = await sql<{ run_at: Date }>`select run_at from graphile_worker.jobs
      where key = ${`marketing_content:${c.id}:generate`}`.execute(t.db);
    expect(jobs).toHaveLength(1);
    expect(new Date(jobs[0]?.run_at ?? 0).getTime()).toBeGreaterThan(Date.now() + 60_000);
    // The content waits in GENERATE, not blocked; the failed contracts say why.
    expect(await content(c.id)).toMatchObject({ lifecycle_state: "GENERATE", status: "active" });
    const { rows: contracts } = await sql<{ status: string; n: number }>`
      select status::text, count(*)::int as n from eva.agent_task_contracts where venture_id = ${v.id}::uuid
      group by status order by status`.execute(t.db);
    expect(contracts).toEqual([
      { status: "failed", n: 3 },
      { status: "pending", n: 1 },
    ]);
    // Deferred again: the same pending contract waits, no second one.
    expect(await runContentGeneration(t.service, analyst, c.id)).toMatchObject({ outcome: "deferred" });
    const { rows: again } = await sql<{ n: number }>`select count(*)::int as n from eva.agent_task_contracts
      where venture_id = ${v.id}::uuid and status = 'pending'`.execute(t.db);
    expect(again[0]?.n).toBe(1);

    // After the cooldown (on the breakers' clock) one trial call runs; it succeeds and the content goes on.
    await withRole(t.db, "eva_chairman", (trx) =>
      sql`select eva.fn_set_circuit_clock('6 minutes'::interval)`.execute(trx),
    );
    try {
      server.reset();
      server.enqueue(reply.json(generation(v.name, DEFAULT)));
      expect(await runContentGeneration(t.service, analyst, c.id)).toMatchObject({
        outcome: "reviewing",
        generation: 1,
      });
      const { rows: closed } = await sql<{ state: string }>`select state::text from eva.venture_circuit_breakers
        where venture_id = ${v.id}::uuid and service = 'llm'`.execute(t.db);
      expect(closed[0]?.state).toBe("closed");
      const { rows: done } = await sql<{ status: string; n: number }>`
        select status::text, count(*)::int as n from eva.agent_task_contracts where venture_id = ${v.id}::uuid
        group by status order by status`.execute(t.db);
      expect(done).toEqual([
        { status: "completed", n: 1 },
        { status: "failed", n: 3 },
      ]);
    } finally {
      await withRole(t.db, "eva_chairman", (trx) => sql`select eva.fn_set_circuit_clock(null, true)`.execute(trx));
    }
  });
});

describe("the offline analyst", () => {
  it("writes variants within every platform's limit, labelled simulation, and schedules them", async () => {
    const v = await createVenture(t.db, { name: "Offline Test" });
    const c = await requestContent(v.id);
    const steps: string[] = [];
    const end = await runContentToSchedule(t.service, createOfflineAnalyst(), c.id, {
      onStep: (s) => steps.push(s.outcome),
    });
    expect(end).toMatchObject({ outcome: "scheduled" });
    expect(steps).toEqual(["reviewing", "scheduled"]);
    const rows = await variants(c.id);
    expect(rows.map((r) => `${r.platform}:${r.variant_key}`)).toEqual(DEFAULT.flatMap((p) => [`${p}:a`, `${p}:b`]));
    for (const row of rows) {
      expect(textLength(row.platform, row.asset_text)).toBeLessThanOrEqual(PLATFORM_LIMITS[row.platform].text);
      expect(row.asset_text).toContain(v.name);
    }
    const row = await content(c.id);
    expect(row?.metadata.generation).toMatchObject({ epistemic_classification: "simulation" });
    const { rows: reviews } = await sql<{
      epistemic_classification: string;
      checks: { check: string; outcome: string }[];
    }>`
      select epistemic_classification, checks from marketing.marketing_content_reviews where content_id = ${c.id}::uuid`.execute(
      t.db,
    );
    expect(reviews[0]?.epistemic_classification).toBe("simulation");
    // A simulated judgement is not evidence the voice matches.
    expect(reviews[0]?.checks.find((x) => x.check === "brand_voice")?.outcome).toBe("unknown");
    expect(row?.metadata.generation).toMatchObject({ sources: { performance: "unknown (no rollups)" } });
  });

  it("reads prior performance from the marketing rollups when they exist (unknown before)", async () => {
    const v = await createVenture(t.db, { name: "Rollups Test" });
    const first = await requestContent(v.id);
    await runContentToSchedule(t.service, createOfflineAnalyst(), first.id);
    expect((await content(first.id))?.metadata.generation).toMatchObject({
      sources: { performance: "unknown (no rollups)" },
    });
    const [variant] = await variants(first.id);
    // The rollups table as spec §17.9 shapes it (owned by EVA's owner), when the migrations have not created it.
    await t.db.transaction().execute(async (trx) => {
      await sql`set local role eva_owner`.execute(trx);
      await sql`create table if not exists marketing.marketing_daily_rollups (rollup_date date not null,
      venture_id uuid not null, platform text not null, content_id uuid, variant_id uuid,
      impressions bigint not null default 0, engagements bigint not null default 0, clicks bigint not null default 0,
      conversions bigint not null default 0, revenue_cents bigint not null default 0)`.execute(trx);
    });
    await sql`insert into marketing.marketing_daily_rollups (rollup_date, venture_id, platform, content_id, variant_id,
        impressions, engagements, clicks, conversions)
      values (current_date - 1, ${v.id}::uuid, ${variant?.platform ?? "x"}, ${first.id}::uuid, ${variant?.id ?? null}::uuid,
        1200, 90, 30, 4)`.execute(t.db);
    const analyst = model();
    server.enqueue(reply.json(generation(v.name, DEFAULT)));
    const second = await requestContent(v.id);
    await runContentGeneration(t.service, analyst, second.id);
    const prompt = server.requests[0]?.body.messages.map((m) => m.content).join("\n") ?? "";
    expect(prompt).toContain('"impressions":1200');
    expect(prompt).not.toContain("unknown (nothing measured yet)");
    expect((await content(second.id))?.metadata.generation).toMatchObject({
      sources: { performance: "marketing_daily_rollups, last 30 days" },
    });
  });

  it("writes for the venture's enabled platform accounts", async () => {
    const v = await createVenture(t.db, { name: "Accounts Test" });
    await withRole(t.db, "eva_chairman", (trx) =>
      sql`insert into marketing.marketing_platform_accounts (venture_id, platform, handle, base_url, credential_refs)
        values (${v.id}::uuid, 'bluesky', 'accounts.test', 'https://bsky.social', '{"password": "EVA_BLUESKY_PASSWORD"}'),
               (${v.id}::uuid, 'email', 'hello@accounts.test', null, '{"apiKey": "RESEND_API_KEY"}')`.execute(trx),
    );
    const c = await requestContent(v.id);
    await runContentToSchedule(t.service, createOfflineAnalyst(), c.id);
    const rows = await variants(c.id);
    expect([...new Set(rows.map((r) => r.platform))]).toEqual(["bluesky", "email"]);
    const email = rows.find((r) => r.platform === "email");
    // Email's headline is its subject, not part of the body.
    expect(email?.asset_text.startsWith(email.headline)).toBe(false);
  });
});

describe("platform accounts", () => {
  it("take credentials as names of environment variables only, and viewers do not see them", async () => {
    const v = await createVenture(t.db);
    for (const refs of [
      { token: "ghp_16C7e42F292c6912E7710c838347Ae178B4a" },
      { token: "sk-live-abc123" },
      { token: 42 },
    ]) {
      await expect(
        withRole(t.db, "eva_chairman", (trx) =>
          sql`insert into marketing.marketing_platform_accounts (venture_id, platform, handle, credential_refs)
            values (${v.id}::uuid, 'x', 'handle', ${JSON.stringify(refs)}::jsonb)`.execute(trx),
        ),
      ).rejects.toMatchObject({ code: "23514" });
    }
    await withRole(t.db, "eva_chairman", (trx) =>
      sql`insert into marketing.marketing_platform_accounts (venture_id, platform, handle, credential_refs)
        values (${v.id}::uuid, 'x', 'handle', '{"token": "EVA_X_TOKEN"}')`.execute(trx),
    );
    await expect(
      withRole(t.db, "eva_viewer", (trx) =>
        sql`select count(*) from marketing.marketing_platform_accounts`.execute(trx),
      ),
    ).rejects.toMatchObject({ code: "42501" });
    const { rows: stored } = await sql<{ credential_refs: unknown }>`
      select credential_refs from marketing.marketing_platform_accounts where venture_id = ${v.id}::uuid`.execute(t.db);
    expect(stored).toEqual([{ credential_refs: { token: "EVA_X_TOKEN" } }]);
    await expect(
      withRole(t.db, "eva_service", (trx) =>
        sql`insert into marketing.marketing_platform_accounts (venture_id, platform, handle) values (${v.id}::uuid, 'reddit', 'h')`.execute(
          trx,
        ),
      ),
    ).rejects.toMatchObject({ code: "42501" });
  });
});
