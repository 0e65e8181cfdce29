// The event bus's persistence (spec §3, §12 audit trail): every state change
// writes a row to eva.eva_event_log, each transaction that logs events sends
// one NOTIFY on eva_events, the feed delivers each event once in commit order
// (even one whose transaction commits late), and audit rows are never changed.
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { advance, createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();

interface Notice {
  xact_id: string;
}

const notices: Notice[] = [];
const listener = new pg.Client({ connectionString: t.url });

beforeAll(async () => {
  await listener.connect();
  listener.on("notification", (message) => {
    if (message.channel === "eva_events" && message.payload) notices.push(JSON.parse(message.payload) as Notice);
  });
  await listener.query("listen eva_events");
});

afterAll(async () => {
  await listener.end();
  await t.drop();
});

interface LoggedEvent {
  id: number;
  event_type: string;
  venture_id: string | null;
  payload: Record<string, unknown>;
  actor: string;
  xact_id: string;
}

async function lastEventId(): Promise<number> {
  const { rows } = await sql<{ id: string | null }>`select max(id) as id from eva.eva_event_log`.execute(t.db);
  return Number(rows[0]?.id ?? 0);
}

/**
 * Runs `action` and returns the events it logged (read as the Chairman, who
 * may), after checking that each transaction that logged them was NOTIFYed on
 * eva_events, once.
 */
async function eventsOf(action: () => Promise<unknown>): Promise<LoggedEvent[]> {
  const after = await lastEventId();
  await action();
  const events = (await withRole(t.db, "eva_chairman", (trx) =>
    trx
      .selectFrom("eva_event_log")
      .select(["id", "event_type", "venture_id", "payload", "actor", sql<string>`xact_id::text`.as("xact_id")])
      .where("id", ">", String(after))
      .orderBy("id")
      .execute(),
  )) as unknown as LoggedEvent[];
  const transactions = [...new Set(events.map((e) => e.xact_id))];
  const deadline = Date.now() + 5_000;
  const notified = () => transactions.every((x) => notices.some((n) => n.xact_id === x));
  while (!notified() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(notified(), "every transaction that logged events was NOTIFYed on eva_events").toBe(true);
  for (const x of transactions)
    expect(
      notices.filter((n) => n.xact_id === x),
      `NOTIFYs of ${x}`,
    ).toHaveLength(1);
  return events.map((e) => ({ ...e, id: Number(e.id) }));
}

const types = (events: LoggedEvent[]) => events.map((e) => e.event_type);

async function openDecision(ventureId: string, stage: number, type: string): Promise<string> {
  const row = await withRole(t.db, "eva_service", (trx) =>
    trx
      .insertInto("chairman_decisions")
      .values({ venture_id: ventureId, lifecycle_stage: stage, decision_type: type })
      .returning("id")
      .executeTakeFirstOrThrow(),
  );
  return row.id;
}

function decide(id: string, decision: string) {
  return withRole(t.db, "eva_chairman", (trx) =>
    sql`select eva.fn_decide(${id}::uuid, ${decision}, 'from the test')`.execute(trx),
  );
}

describe("every state change is an event, logged and notified", () => {
  it("logs venture.created and the Draft Idea artifact when a venture is born", async () => {
    let id = "";
    const events = await eventsOf(async () => {
      id = (await createVenture(t.db, { name: "Eventful Ledger" })).id;
    });
    expect(types(events)).toEqual(["venture.created", "artifact.created"]);
    expect(events[0]).toMatchObject({
      venture_id: id,
      actor: "eva_chairman",
      payload: { name: "Eventful Ledger", status: "active", stage: 1, archetype: "saas" },
    });
    expect(events[1]?.payload).toMatchObject({ stage: 1, artifact_type: "idea_brief", version: 1 });
  });

  it("logs each status change with its reason", async () => {
    const v = await createVenture(t.db);
    const set = (status: string, reason: string) =>
      // No request role runs fn_set_venture_status (EVA's functions do): the superuser stands in for them.
      eventsOf(() =>
        sql`select eva.fn_set_venture_status(${v.id}::uuid, ${status}::eva.venture_status, ${reason})`.execute(t.db),
      );
    const paused = await set("paused", "budget review");
    expect(paused).toEqual([
      expect.objectContaining({
        event_type: "venture.paused",
        venture_id: v.id,
        actor: "postgres",
        payload: expect.objectContaining({ from_status: "active", to_status: "paused", reason: "budget review" }),
      }),
    ]);
    expect(types(await set("active", "budget approved"))).toEqual(["venture.activated"]);
    // A venture that ends: its retirement saga starts after, from this event (the venture-retirement subscription).
    expect(types(await set("killed", "market vanished"))).toEqual(["venture.killed"]);
  });

  it("logs stage.entered on every advance and gate.evaluated for every gate outcome", async () => {
    const v = await createVenture(t.db);
    const entered = await eventsOf(() => advance(t.db, v.id, 1));
    expect(entered).toEqual([
      expect.objectContaining({
        event_type: "stage.entered",
        venture_id: v.id,
        payload: expect.objectContaining({ from_stage: 1, to_stage: 2 }),
      }),
    ]);
    await advance(t.db, v.id, 2);
    const gated = await eventsOf(() => advance(t.db, v.id, 3, "pass"));
    expect(types(gated)).toEqual(["gate.evaluated", "stage.entered"]);
    expect(gated[0]?.payload).toMatchObject({
      stage: 3,
      gate_type: "kill",
      decision: "pass",
      rationale: "test rationale",
    });
  });

  it("logs artifact.created for every new artifact version", async () => {
    const v = await createVenture(t.db);
    const write = () =>
      withRole(t.db, "eva_service", (trx) =>
        trx
          .insertInto("venture_artifacts")
          .values({
            venture_id: v.id,
            lifecycle_stage: 2,
            artifact_type: "idea_validation",
            content: JSON.stringify({ score: 1 }),
            epistemic_classification: "simulation",
          } as never)
          .execute(),
      );
    const first = await eventsOf(write);
    const second = await eventsOf(write);
    expect(first).toEqual([
      expect.objectContaining({
        event_type: "artifact.created",
        actor: "eva_service",
        payload: expect.objectContaining({
          artifact_type: "idea_validation",
          version: 1,
          epistemic_classification: "simulation",
        }),
      }),
    ]);
    expect(second[0]?.payload).toMatchObject({ version: 2 });
  });

  it("logs a decision when it is opened and when the Chairman makes it, by outcome", async () => {
    const v = await createVenture(t.db);
    // Each decision's effect works on the venture where it stands: proceed moves it from 1 to 2, modify_thresholds
    // runs Stage 2 again, cancel kills it.
    const outcomes: [number, string, string, string][] = [
      [1, "dfe_escalation", "proceed", "chairman.approval"],
      [2, "dfe_escalation", "modify_thresholds", "chairman.override"],
      [2, "release_decision", "cancel", "chairman.rejection"],
    ];
    for (const [stage, type, decision, expected] of outcomes) {
      let id = "";
      const opened = await eventsOf(async () => {
        id = await openDecision(v.id, stage, type);
      });
      expect(opened).toEqual([
        expect.objectContaining({
          event_type: "chairman.decision_requested",
          venture_id: v.id,
          payload: expect.objectContaining({ decision_id: id, stage, decision_type: type }),
        }),
      ]);
      const decided = await eventsOf(() => decide(id, decision));
      expect(decided.filter((e) => e.event_type.startsWith("chairman."))).toEqual([
        expect.objectContaining({
          event_type: expected,
          actor: "eva_chairman",
          payload: expect.objectContaining({ decision_id: id, decision, notes: "from the test" }),
        }),
      ]);
    }
    // Withdrawing has no function (nothing withdraws yet); the table's owner can, and it is logged.
    const other = await createVenture(t.db);
    const withdrawn = await openDecision(other.id, 1, "dfe_escalation");
    const withdraw = () =>
      t.db.transaction().execute(async (trx) => {
        await sql`set local role eva_owner`.execute(trx);
        await sql`update eva.chairman_decisions set status = 'withdrawn' where id = ${withdrawn}::uuid`.execute(trx);
      });
    expect(types(await eventsOf(withdraw))).toEqual(["chairman.withdrawn"]);
  });

  it("logs nothing when a refused change rolls back", async () => {
    const v = await createVenture(t.db);
    const refusedGate = await eventsOf(() =>
      expect(
        sql`select eva.fn_record_gate_outcome(${v.id}::uuid, 1, 'pass', 'stage 1 has no gate')`.execute(t.db),
      ).rejects.toMatchObject({ code: "EV400" }),
    );
    expect(refusedGate).toEqual([]);
    // The pause logged venture.paused inside the transaction; the refused advance takes it back with it.
    const refusedAdvance = await eventsOf(() =>
      expect(
        t.db.transaction().execute(async (trx) => {
          await sql`select eva.fn_set_venture_status(${v.id}::uuid, 'paused', 'first')`.execute(trx);
          await sql`select eva.fn_advance_venture_stage(${v.id}::uuid, 1)`.execute(trx);
        }),
      ).rejects.toMatchObject({ code: "EV423" }),
    );
    expect(refusedAdvance).toEqual([]);
  });

  it("lets a service append its own event, logged with its role as the actor and notified", async () => {
    const v = await createVenture(t.db);
    const events = await eventsOf(() =>
      withRole(t.db, "eva_service", (trx) =>
        trx
          .insertInto("eva_event_log")
          .values({ event_type: "dfe.escalated", venture_id: v.id, payload: JSON.stringify({ trigger: "cost" }) })
          .execute(),
      ),
    );
    expect(events).toEqual([
      expect.objectContaining({ event_type: "dfe.escalated", actor: "eva_service", payload: { trigger: "cost" } }),
    ]);
    await expect(
      withRole(t.db, "eva_service", (trx) =>
        trx.insertInto("eva_event_log").values({ event_type: "Not An Event Type", venture_id: v.id }).execute(),
      ),
    ).rejects.toMatchObject({ code: "23514" });
  });
});

describe("audit rows are append-only", () => {
  const AUDIT_TABLES = ["eva.eva_event_log", "eva.venture_stage_transitions", "eva.venture_state_history"] as const;
  let ventureId = "";

  beforeAll(async () => {
    const v = await createVenture(t.db);
    await advance(t.db, v.id, 1);
    ventureId = v.id;
  });

  /** Runs `statement` as the tables' owner (who has every privilege and is not subject to RLS), always rolled back. */
  async function asOwner(statement: string): Promise<void> {
    await t.db.transaction().execute(async (trx) => {
      await sql`set local role eva_owner`.execute(trx);
      await sql.raw(statement).execute(trx);
      throw new Error(`"${statement}" was not refused`);
    });
  }

  it.each(AUDIT_TABLES)("refuses UPDATE, DELETE and TRUNCATE of %s even by its owner (EV430)", async (table) => {
    const where = `where venture_id = '${ventureId}'`;
    const column = table === "eva.eva_event_log" ? "event_type = 'forged.event'" : "reason = 'forged'";
    const { rows } = await sql.raw<{ n: string }>(`select count(*) as n from ${table} ${where}`).execute(t.db);
    expect(Number(rows[0]?.n)).toBeGreaterThan(0);
    await expect(asOwner(`update ${table} set ${column} ${where}`)).rejects.toMatchObject({ code: "EV430" });
    await expect(asOwner(`delete from ${table} ${where}`)).rejects.toMatchObject({ code: "EV430" });
    await expect(asOwner(`truncate ${table} cascade`)).rejects.toMatchObject({ code: "EV430" });
    const after = await sql.raw<{ n: string }>(`select count(*) as n from ${table} ${where}`).execute(t.db);
    expect(after.rows[0]?.n).toBe(rows[0]?.n);
  });

  it.each(AUDIT_TABLES)("refuses UPDATE and DELETE of %s by every request role (42501)", async (table) => {
    for (const role of ["eva_chairman", "eva_service", "eva_viewer", "eva_anonymous"] as const) {
      await expect(
        withRole(t.db, role, (trx) => sql.raw(`delete from ${table} where venture_id = '${ventureId}'`).execute(trx)),
      ).rejects.toMatchObject({ code: "42501" });
      await expect(
        withRole(t.db, role, (trx) => sql.raw(`update ${table} set created_at = now()`).execute(trx)),
      ).rejects.toMatchObject({ code: "42501" });
    }
  });
});

describe("who reads which events", () => {
  it("hides the Chairman's decision events from viewers, not from the Chairman or services", async () => {
    const v = await createVenture(t.db);
    await withRole(t.db, "eva_service", (trx) =>
      trx
        .insertInto("chairman_decisions")
        .values({ venture_id: v.id, lifecycle_stage: 1, decision_type: "dfe_escalation" })
        .execute(),
    );
    const count = (role: "eva_chairman" | "eva_service" | "eva_viewer") =>
      withRole(t.db, role, async (trx) => {
        const rows = await trx
          .selectFrom("eva_event_log")
          .select("event_type")
          .where("venture_id", "=", v.id)
          .execute();
        return rows.filter((r) => r.event_type.startsWith("chairman.")).length;
      });
    expect(await count("eva_chairman")).toBe(1);
    expect(await count("eva_service")).toBe(1);
    expect(await count("eva_viewer")).toBe(0);
  });
});

describe("the feed in commit order", () => {
  interface FeedRow {
    id: string;
    event_type: string;
    cursor: string;
  }
  const feed = (after: string | null, limit = 100) =>
    withRole(t.db, "eva_viewer", async (trx) => {
      const { rows } = await sql<FeedRow>`
        select id::text as id, event_type, cursor from eva.fn_event_feed(${after}, ${limit})`.execute(trx);
      return rows;
    });
  /**
   * Reads the feed after `after` page by page, as a client resuming from its
   * last cursor would, until `done` holds for what it read (an event is held
   * back while any older transaction of the server is still open, which other
   * databases' clients may cause).
   */
  async function readUntil(after: string, done: (rows: FeedRow[]) => boolean) {
    const rows: FeedRow[] = [];
    let cursor = after;
    const deadline = Date.now() + 10_000;
    while (!done(rows) && Date.now() < deadline) {
      const page = await feed(cursor, 2);
      const last = page.at(-1);
      if (last) {
        rows.push(...page);
        cursor = last.cursor;
      } else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { rows, cursor };
  }

  it("delivers an event whose transaction commits late exactly once to a reader resuming from its last cursor", async () => {
    const a = new pg.Client({ connectionString: t.url });
    const b = new pg.Client({ connectionString: t.url });
    await a.connect();
    await b.connect();
    try {
      const start = (await sql<{ c: string }>`select eva.fn_event_cursor() as c`.execute(t.db)).rows[0]?.c ?? "";
      expect(start).toMatch(/^\d+\.\d+$/);
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
      expect(BigInt(late)).toBeLessThan(BigInt(early));
      const ours = (rows: FeedRow[]) => rows.filter((r) => r.id === late || r.id === early).map((r) => r.id);

      // While A is open, B's event is held back: listing it now would put the cursor past A's.
      const whileOpen = await feed(start);
      expect(ours(whileOpen)).toEqual([]);
      const resumeFrom = whileOpen.at(-1)?.cursor ?? start;

      await a.query("commit");
      const caughtUp = await readUntil(resumeFrom, (rows) => ours(rows).length === 2);
      expect(ours(caughtUp.rows)).toEqual([late, early]);
      // Resuming from the last cursor: neither comes again.
      expect(ours(await feed(caughtUp.cursor))).toEqual([]);
      // Paging from the start the same way gives each exactly once.
      const whole = await readUntil(start, (rows) => ours(rows).length >= 2);
      expect(ours(whole.rows)).toEqual([late, early]);
    } finally {
      await a.query("rollback").catch(() => {});
      await a.end();
      await b.end();
    }
  });

  it("refuses a cursor it did not hand out (EV400), and reads from the start without one", async () => {
    for (const bad of ["106", "abc", "1.2.3", "-1.5"]) {
      await expect(feed(bad)).rejects.toMatchObject({ code: "EV400" });
    }
    const fromStart = await feed(null, 1);
    expect(fromStart).toHaveLength(1);
    expect(await feed("", 1)).toEqual(fromStart);
  });

  it("NOTIFYs once per transaction, however many events it logs, and again after a rolled-back savepoint", async () => {
    const v = await createVenture(t.db);
    const xact = await withRole(t.db, "eva_service", async (trx) => {
      for (const type of ["dfe.escalated", "dfe.evaluated", "stage.blocked"]) {
        await trx.insertInto("eva_event_log").values({ event_type: type, venture_id: v.id }).execute();
      }
      const { rows } = await sql<{ x: string }>`select pg_current_xact_id()::text as x`.execute(trx);
      return rows[0]?.x ?? "";
    });
    const deadline = Date.now() + 5_000;
    while (!notices.some((n) => n.xact_id === xact) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(notices.filter((n) => n.xact_id === xact)).toEqual([{ xact_id: xact }]);

    // The first event's NOTIFY rolls back with its savepoint; the next event notifies again.
    const saved = await withRole(t.db, "eva_service", async (trx) => {
      await sql`savepoint s`.execute(trx);
      await trx.insertInto("eva_event_log").values({ event_type: "probe.rolled_back", venture_id: v.id }).execute();
      await sql`rollback to savepoint s`.execute(trx);
      await trx.insertInto("eva_event_log").values({ event_type: "probe.kept", venture_id: v.id }).execute();
      const { rows } = await sql<{ x: string }>`select pg_current_xact_id()::text as x`.execute(trx);
      return rows[0]?.x ?? "";
    });
    while (!notices.some((n) => n.xact_id === saved) && Date.now() < deadline + 5_000)
      await new Promise((resolve) => setTimeout(resolve, 10));
    expect(notices.filter((n) => n.xact_id === saved)).toEqual([{ xact_id: saved }]);
  });
});
