// Live updates over the API's websocket (graphql-ws): who receives which
// events, the decision queue as it changes, and catching up after a
// disconnect from the last cursor received (evaEvent(after:) and eventFeed),
// with no gap even when a transaction commits late.
import { createClient, type FormattedExecutionResult } from "graphql-ws";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, startApiServer } from "../graphql/server.ts";
import { mintToken } from "../src/auth/tokens.ts";
import { withRole } from "../src/db/client.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";

process.env.EVA_JWT_SECRET = "subscriptions-test-secret-subscriptions-test-0123456789";

const t = await createTestDatabase();
let api: ApiServer;
beforeAll(async () => {
  api = await startApiServer({ url: t.url, port: 0 });
});
afterAll(async () => {
  await api?.close();
  await t.drop();
});

const chairman = () => mintToken("chairman", 600);
const viewer = () => mintToken("viewer", 600);

type Result = FormattedExecutionResult<Record<string, unknown>, Record<string, unknown>>;

interface LiveSubscription {
  results: Result[];
  /** The error that ended the subscription, if one did. */
  error: unknown;
  completed: boolean;
  /** Resolves once `check` holds, failing after `ms`. */
  until(check: (s: LiveSubscription) => boolean, ms?: number): Promise<void>;
  close(): Promise<void>;
}

function subscribe(query: string, token?: string, variables: Record<string, unknown> = {}): LiveSubscription {
  const client = createClient({
    url: api.url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: token === undefined ? {} : { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  const sub: LiveSubscription = {
    results: [],
    error: undefined,
    completed: false,
    // Generous: the feed holds events back while any transaction on the server is open (a shared machine, parallel test files).
    async until(check, ms = 20_000) {
      const deadline = Date.now() + ms;
      while (!check(sub)) {
        if (Date.now() > deadline) {
          throw new Error(`timed out; received ${JSON.stringify({ results: sub.results, error: sub.error })}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      dispose();
      await client.dispose();
    },
  };
  const dispose = client.subscribe<Record<string, unknown>, Record<string, unknown>>(
    { query, variables },
    {
      next: (result) => sub.results.push(result),
      error: (error) => {
        sub.error = error;
      },
      complete: () => {
        sub.completed = true;
      },
    },
  );
  return sub;
}

interface EventNode {
  rowId: string;
  eventType: string;
  ventureId: string | null;
  cursor: string;
}

const EVENTS =
  "subscription Events($feedOnly: Boolean! = false, $after: String) { evaEvent(feedOnly: $feedOnly, after: $after) { rowId eventType ventureId cursor } }";
const QUEUE = `subscription { decisionQueueChanged { event { rowId eventType ventureId } queue { decisionId ventureId decisionType } } }`;

/** The events an evaEvent subscription received, in order. */
const eventsOf = (s: LiveSubscription): EventNode[] =>
  s.results.map((r) => r.data?.evaEvent as EventNode | null).filter((e): e is EventNode => e != null);

/** Logs an event directly (as the migration owner would), returning its id. */
async function logEvent(eventType: string): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    insert into eva.eva_event_log (event_type, payload) values (${eventType}, '{"test": true}') returning id`.execute(
    t.db,
  );
  return String(rows[0]?.id);
}

/**
 * Waits until the subscription is listening: a subscription starts some time
 * after the client sends it and does not say when, so log a ping event until
 * one arrives. `seen` tells which event ids a subscription has received.
 */
async function live(s: LiveSubscription, pingType: string, seen: (s: LiveSubscription) => string[]): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const id = await logEvent(pingType);
    try {
      await s.until((x) => seen(x).includes(id), 200);
      return;
    } catch {
      if (s.error !== undefined || s.completed) break;
    }
  }
  throw new Error(`subscription never went live: ${JSON.stringify({ results: s.results, error: s.error })}`);
}
const eventIds = (s: LiveSubscription) => eventsOf(s).map((e) => e.rowId);

/** A DFE escalation at Stage 1, opened by the engine as eva_service would (see test/decide.test.ts). */
async function escalation(): Promise<{ ventureId: string; decisionId: string }> {
  const v = await createVenture(t.db);
  const work = await t.db
    .selectFrom("venture_stage_work")
    .select("id")
    .where("venture_id", "=", v.id)
    .where("status", "=", "ready")
    .executeTakeFirstOrThrow();
  await sql`select eva.fn_begin_stage_run(${work.id}::uuid)`.execute(t.service);
  await sql`select eva.fn_record_stage_result(${work.id}::uuid, '[]'::jsonb, null, '[]'::jsonb,
    '{"action": "escalate", "reason": "cost", "recommendedAction": "proceed", "dfe": {"output": "PRESENT_TO_CHAIRMAN", "triggers": [], "patternSignature": ""}}'::jsonb)`.execute(
    t.service,
  );
  const d = await t.db
    .selectFrom("chairman_decisions")
    .select("id")
    .where("venture_id", "=", v.id)
    .where("status", "=", "pending")
    .executeTakeFirstOrThrow();
  return { ventureId: v.id, decisionId: d.id };
}

async function gql(query: string, variables: Record<string, unknown>, token: string) {
  const response = await fetch(api.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Result;
}

/** Every event eventFeed lists after `after`, paging by the cursor as a client would. */
async function feedAfter(after: string, token: string): Promise<EventNode[]> {
  const all: EventNode[] = [];
  let cursor = after;
  for (;;) {
    const page = await gql(
      "query Feed($after: String) { eventFeed(pAfter: $after, pLimit: 5) { nodes { rowId eventType ventureId cursor } } }",
      { after: cursor },
      token,
    );
    expect(page.errors).toBeUndefined();
    const nodes = (page.data?.eventFeed as { nodes?: EventNode[] } | undefined)?.nodes ?? [];
    if (nodes.length === 0) return all;
    all.push(...nodes);
    cursor = nodes[nodes.length - 1]?.cursor ?? cursor;
  }
}

/**
 * feedAfter until `done` holds for what it lists: an event is listed once every
 * older transaction of the server has ended (other databases' clients included).
 */
async function feedAfterUntil(after: string, token: string, done: (events: EventNode[]) => boolean) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const events = await feedAfter(after, token);
    if (done(events) || Date.now() > deadline) return events;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("the Chairman", () => {
  it("receives a new decision as an event and as the changed decision queue", async () => {
    const token = await chairman();
    const events = subscribe(EVENTS, token);
    const queue = subscribe(QUEUE, token);
    try {
      // The queue comes once on subscribing (no event yet), then on each chairman.* event.
      await queue.until((s) => s.results.length > 0);
      expect(queue.results[0]).toEqual({ data: { decisionQueueChanged: { event: null, queue: expect.any(Array) } } });
      const queueEvents = (s: LiveSubscription) =>
        s.results
          .map((r) => (r.data?.decisionQueueChanged as { event: EventNode | null } | undefined)?.event?.rowId)
          .filter((id): id is string => id !== undefined);
      await live(events, "test.ping", eventIds);
      await live(queue, "chairman.test_ping", queueEvents);

      const { ventureId, decisionId } = await escalation();
      await events.until((s) =>
        eventsOf(s).some((e) => e.eventType === "chairman.decision_requested" && e.ventureId === ventureId),
      );
      await queue.until((s) =>
        s.results.some(
          (r) =>
            (r.data?.decisionQueueChanged as { event: EventNode | null })?.event?.eventType ===
            "chairman.decision_requested",
        ),
      );
      const changed = queue.results
        .map((r) => r.data?.decisionQueueChanged as { event: EventNode; queue: unknown[] })
        .find((c) => c.event?.eventType === "chairman.decision_requested");
      expect(changed?.event.ventureId).toBe(ventureId);
      expect(changed?.queue).toContainEqual({ decisionId, ventureId, decisionType: "dfe_escalation" });
      // Only chairman.* events move the queue: the venture's other events did not.
      expect(queueEvents(queue).length).toBeLessThan(eventIds(events).length);
      expect(queue.error).toBeUndefined();
      expect(events.error).toBeUndefined();
    } finally {
      await events.close();
      await queue.close();
    }
  });

  it("receives only the top of the queue with first, and how many are pending", async () => {
    await escalation();
    await escalation();
    const pending = Number(
      (
        await sql<{ n: string }>`select count(*) as n from eva.chairman_decisions where status = 'pending'`.execute(
          t.db,
        )
      ).rows[0]?.n,
    );
    expect(pending).toBeGreaterThanOrEqual(2);
    const top = (
      await sql<{ decision_id: string }>`select decision_id from eva.decision_queue limit 1`.execute(t.db)
    ).rows.map((r) => r.decision_id);
    const token = await chairman();
    const queue = subscribe(
      "subscription { decisionQueueChanged(first: 1) { queue { decisionId } pendingCount } }",
      token,
    );
    try {
      await queue.until((s) => s.results.length > 0);
      expect(queue.error).toBeUndefined();
      expect(queue.results[0]).toEqual({
        data: { decisionQueueChanged: { queue: top.map((decisionId) => ({ decisionId })), pendingCount: pending } },
      });
    } finally {
      await queue.close();
    }
  });
});

describe("introspection over the websocket", () => {
  it("answers with the schema as objects, after an HTTP request cached the answer as JSON text", async () => {
    const token = await mintToken("viewer", 600);
    const query = "{ __schema { queryType { name } mutationType { name } } }";
    const overHttp = await fetch(api.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    });
    const expected = { __schema: { queryType: { name: "Query" }, mutationType: { name: "Mutation" } } };
    expect(((await overHttp.json()) as { data?: unknown }).data).toEqual(expected);
    const live = subscribe(query, token);
    try {
      await live.until((s) => s.completed || s.results.length > 0 || s.error !== undefined);
      expect(live.results).toEqual([{ data: expected }]);
    } finally {
      await live.close();
    }
  });
});

describe("a viewer", () => {
  it("receives venture events but no chairman.* events, and may not subscribe to the decision queue", async () => {
    const token = await viewer();
    const events = subscribe(EVENTS, token);
    try {
      await live(events, "test.ping", eventIds);
      const { ventureId } = await escalation(); // logs chairman.decision_requested among others
      const later = await createVenture(t.db); // logged after it: once this arrives, the other would have
      await events.until((s) => eventsOf(s).some((e) => e.eventType === "venture.created" && e.ventureId === later.id));
      const received = eventsOf(events);
      expect(received).toContainEqual({
        rowId: expect.any(String),
        eventType: "venture.created",
        ventureId,
        cursor: expect.any(String),
      });
      expect(received.filter((e) => e.eventType.startsWith("chairman."))).toEqual([]);
      // Not even a trace: no empty message where a chairman.* event would have been.
      expect(events.results.filter((r) => r.errors !== undefined || r.data?.evaEvent == null)).toEqual([]);
      // It was logged all the same.
      const logged = await t.db
        .selectFrom("eva_event_log")
        .select("id")
        .where("venture_id", "=", ventureId)
        .where("event_type", "=", "chairman.decision_requested")
        .execute();
      expect(logged).toHaveLength(1);
      expect(events.error).toBeUndefined();
    } finally {
      await events.close();
    }

    const queue = subscribe(QUEUE, token);
    try {
      await queue.until((s) => s.completed || s.error !== undefined);
      expect(queue.results).toEqual([
        {
          errors: [
            expect.objectContaining({
              message: "permission denied: your role may not do this",
              extensions: { code: "FORBIDDEN" },
            }),
          ],
        },
      ]);
    } finally {
      await queue.close();
    }
  });
});

describe("without a token (eva_anonymous)", () => {
  it("is refused: one permission error (no data), then the subscription ends", async () => {
    const events = subscribe(EVENTS);
    try {
      await events.until((s) => s.completed || s.error !== undefined);
      // graphql-ws: a `next` with the error, then `complete` (not a protocol error).
      expect(events.completed).toBe(true);
      expect(events.error).toBeUndefined();
      expect(events.results).toEqual([
        {
          errors: [
            expect.objectContaining({
              message: "permission denied: your role may not do this",
              extensions: { code: "FORBIDDEN" },
            }),
          ],
        },
      ]);
      // Nothing arrives afterwards, whatever is logged.
      await createVenture(t.db);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(events.results).toHaveLength(1);
    } finally {
      await events.close();
    }
  });
});

describe("reconnecting", () => {
  it("catches up through evaEvent(after: <last cursor>): what it saw before and after is the whole feed, each once", async () => {
    const token = await chairman();
    const feedIds = (s: LiveSubscription) => eventIds(s);
    const ids = (events: EventNode[]) => events.map((e) => e.rowId);

    const first = subscribe(EVENTS, token, { feedOnly: true });
    let start: string;
    let lastSeen: string;
    const seenBefore: EventNode[] = [];
    try {
      await live(first, "venture.test_ping", feedIds);
      start = eventsOf(first).at(-1)?.cursor as string;
      await createVenture(t.db);
      await escalation();
      // Wait until it has seen everything the feed lists so far (the feed lists an event once every
      // older transaction on the server has ended: another test file's open one holds them back).
      let sofar = (await feedAfter(start, token)).map((e) => e.rowId);
      for (let i = 0; i < 400 && sofar.length <= 2; i++) {
        await new Promise((r) => setTimeout(r, 25));
        sofar = (await feedAfter(start, token)).map((e) => e.rowId);
      }
      expect(sofar.length).toBeGreaterThan(2);
      await first.until((s) => sofar.every((id) => feedIds(s).includes(id)));
      const received = eventsOf(first);
      seenBefore.push(...received.slice(received.findIndex((e) => e.cursor === start) + 1));
      lastSeen = received.at(-1)?.cursor as string;
    } finally {
      await first.close();
    }

    // While disconnected: a venture, an escalation and the Chairman's decision on it.
    await createVenture(t.db);
    const { decisionId } = await escalation();
    const decided = await gql(
      `mutation($id: UUID!) { decide(input: { pDecisionId: $id, pDecision: "proceed" }) { result { status } } }`,
      { id: decisionId },
      token,
    );
    expect(decided.errors).toBeUndefined();

    // Reconnect from the last cursor received: what was missed comes first, then what happens next.
    const whole = await feedAfterUntil(start, token, (events) =>
      events.some((e) => e.eventType === "chairman.approval"),
    );
    const second = subscribe(EVENTS, token, { feedOnly: true, after: lastSeen });
    try {
      await second.until((s) => [...seenBefore, ...eventsOf(s)].length >= whole.length);
      const missed = eventsOf(second);
      expect(missed.map((e) => e.eventType)).toEqual(
        expect.arrayContaining(["venture.created", "chairman.decision_requested", "chairman.approval"]),
      );
      expect(ids([...seenBefore, ...missed]).slice(0, whole.length)).toEqual(ids(whole));
      expect(new Set(ids([...seenBefore, ...missed])).size).toBe(seenBefore.length + missed.length);
      expect(second.error).toBeUndefined();
    } finally {
      await second.close();
    }
  });

  it("refuses a cursor it did not hand out (EV400)", async () => {
    const s = subscribe(EVENTS, await chairman(), { after: "106" });
    try {
      await s.until((x) => x.completed || x.error !== undefined);
      expect(s.results).toEqual([
        { errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: "EV400" }) })] },
      ]);
    } finally {
      await s.close();
    }
  });
});

describe("a late commit", () => {
  it("reaches eventFeed and evaEvent once, in commit order: live, and after reconnecting from the last cursor", async () => {
    const token = await chairman();
    const throughout = subscribe(EVENTS, token, { feedOnly: true });
    const dropped = subscribe(EVENTS, token, { feedOnly: true });
    const a = new pg.Client({ connectionString: t.url });
    const b = new pg.Client({ connectionString: t.url });
    await a.connect();
    await b.connect();
    try {
      await live(throughout, "venture.test_ping", eventIds);
      await live(dropped, "venture.test_ping", eventIds);
      const start = eventsOf(throughout).at(-1)?.cursor as string;
      const log = async (client: pg.Client, type: string) =>
        String(
          (await client.query(`insert into eva.eva_event_log (event_type) values ('${type}') returning id`)).rows[0].id,
        );
      // A takes the smaller id and stays open; B logs after it and commits.
      await a.query("begin");
      await a.query("set local role eva_service");
      const late = await log(a, "venture.committed_late");
      await b.query("set role eva_service");
      const early = await log(b, "venture.committed_early");
      const ours = (events: EventNode[]) => events.map((e) => e.rowId).filter((id) => id === late || id === early);

      // While A is open, B's event is listed nowhere: it would put every cursor past A's.
      expect(ours(await feedAfter(start, token))).toEqual([]);
      expect(ours(eventsOf(throughout))).toEqual([]);
      const droppedAt = eventsOf(dropped).at(-1)?.cursor as string;
      await dropped.close();

      await a.query("commit");
      const listed = await feedAfterUntil(start, token, (events) => ours(events).length === 2);
      expect(ours(listed)).toEqual([late, early]);
      await throughout.until((s) => ours(eventsOf(s)).length >= 2);
      expect(ours(eventsOf(throughout))).toEqual([late, early]);

      const reconnected = subscribe(EVENTS, token, { feedOnly: true, after: droppedAt });
      try {
        await reconnected.until((s) => ours(eventsOf(s)).length >= 2);
        expect(ours(eventsOf(reconnected))).toEqual([late, early]);
        // And nothing twice: resuming eventFeed from the last cursor lists neither again.
        expect(ours(await feedAfter(listed.at(-1)?.cursor as string, token))).toEqual([]);
      } finally {
        await reconnected.close();
      }
      expect(throughout.error).toBeUndefined();
    } finally {
      await a.query("rollback").catch(() => {});
      await a.end();
      await b.end();
      await throughout.close();
      await dropped.close();
    }
  });
});

describe("a decision's notes over the live feed", () => {
  it("reach the Chairman's subscription, never a viewer's: the viewer sees what was decided, and no audit trail", async () => {
    const NOTE = "private-note: the numbers are the founder's guess";
    const withPayload = "subscription { evaEvent { rowId eventType ventureId payload } }";
    type Payloaded = { rowId: string; eventType: string; ventureId: string | null; payload: Record<string, unknown> };
    const of = (s: LiveSubscription) =>
      s.results.map((r) => r.data?.evaEvent as Payloaded | null).filter((e): e is Payloaded => e != null);
    const ids = (s: LiveSubscription) => of(s).map((e) => e.rowId);
    const mine = subscribe(withPayload, await chairman());
    const theirs = subscribe(withPayload, await viewer());
    try {
      await live(mine, "test.ping", ids);
      await live(theirs, "test.ping", ids);
      const { ventureId, decisionId } = await escalation();
      const decided = await gql(
        `mutation D($id: UUID!, $notes: String) { decide(input: { pDecisionId: $id, pDecision: "proceed", pNotes: $notes }) { clientMutationId } }`,
        { id: decisionId, notes: NOTE },
        await chairman(),
      );
      expect(decided.errors).toBeUndefined();
      // An audit.write after the decision: once the Chairman's subscription has it, the viewer's has had its chance.
      await withRole(t.db, "eva_chairman", (trx) =>
        sql`update eva.ventures set moat_strategy = 'brand' where id = ${ventureId}::uuid`.execute(trx),
      );
      const later = await createVenture(t.db);
      await mine.until((s) => of(s).some((e) => e.eventType === "audit.write" && e.ventureId === ventureId));
      await theirs.until((s) => of(s).some((e) => e.eventType === "venture.created" && e.ventureId === later.id));

      const chairmanSaw = of(mine).filter((e) => e.ventureId === ventureId);
      expect(chairmanSaw).toContainEqual(
        expect.objectContaining({ eventType: "chairman.approval", payload: expect.objectContaining({ notes: NOTE }) }),
      );
      const viewerSaw = of(theirs).filter((e) => e.ventureId === ventureId);
      expect(JSON.stringify(viewerSaw)).not.toContain("private-note");
      expect(viewerSaw).toContainEqual(
        expect.objectContaining({
          eventType: "venture.activated",
          payload: expect.objectContaining({ reason: 'Chairman decided "proceed" at stage 1' }),
        }),
      );
      expect(viewerSaw.filter((e) => e.eventType.startsWith("audit.") || e.eventType.startsWith("chairman."))).toEqual(
        [],
      );
    } finally {
      await mine.close();
      await theirs.close();
    }
  });
});
