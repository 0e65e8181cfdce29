// eva dlq list | replay | drop, as the Chairman runs them: dead letters made
// through the real SQL path (a subscription, the dispatcher, failed attempts),
// and bad input refused with nothing written.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import { runEva } from "./helpers/cli.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());
const eva = (...args: string[]) => runEva(args, { DATABASE_URL: t.url });

/** Logs an event for a one-attempt noop subscription and fails its delivery: one dead letter. */
async function deadLetter(type: string, error: string, ventureId: string | null = null): Promise<number> {
  await sql`select eva_private.fn_log_event(${type}, ${ventureId}::uuid, '{"why": "cli test"}'::jsonb)`.execute(t.db);
  // The dispatcher lists an event once every older transaction on the server has ended: ask until it has.
  const delivery = () =>
    t.db
      .selectFrom("event_deliveries")
      // As text: a Date would lose the timestamp's microseconds (the partition key is matched exactly).
      .select(["id", sql<string>`event_logged_at::text`.as("logged_at")])
      .where("event_type", "=", type)
      .executeTakeFirst();
  let d = await delivery();
  for (let i = 0; !d && i < 400; i++) {
    await sql`select eva_private.fn_event_dispatch(500)`.execute(t.db);
    d = await delivery();
    if (!d) await new Promise((r) => setTimeout(r, 25));
  }
  if (!d) throw new Error(`no delivery of ${type} after 10 s`);
  await sql`select eva_private.fn_record_event_delivery(${d.id}::bigint, ${d.logged_at}::timestamptz, ${error})`.execute(
    t.db,
  );
  const row = await t.db
    .selectFrom("eva_event_dlq")
    .select("id")
    .where("event_type", "=", type)
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Everything a refused command could have written. */
async function snapshot() {
  const dlq = await t.db.selectFrom("eva_event_dlq").selectAll().orderBy("id").execute();
  const jobs = await sql<{ key: string | null }>`select key from graphile_worker.jobs order by id`.execute(t.db);
  return { dlq, jobs: jobs.rows };
}

let venture: { id: string; name: string };
let first: number;
let second: number;
beforeAll(async () => {
  venture = await createVenture(t.db, { name: "Dead Letter Venture" });
  await withRole(t.db, "eva_chairman", (trx) =>
    sql`select eva.fn_create_event_subscription('cli-probe', array['cli.*'], 'noop', '{}'::jsonb, 1)`.execute(trx),
  );
  first = await deadLetter("cli.first", "the receiver answered 500 Internal Server Error", venture.id);
  second = await deadLetter("cli.second", "the receiver could not be reached: ECONNREFUSED");
});

describe("eva dlq", () => {
  it("lists dead letters as a table and as JSON", async () => {
    const table = await eva("dlq", "list");
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ID\s+AGE\s+STATUS\s+EVENT\s+VENTURE\s+HANDLER\s+ATTEMPTS\s+LAST ERROR$/);
    expect(lines[1]).toMatch(
      new RegExp(
        `^${first}\\s+\\d+s\\s+pending\\s+cli\\.first\\s+Dead Letter Venture\\s+noop \\(cli-probe\\)\\s+1\\s+the receiver answered 500`,
      ),
    );
    expect(lines[2]).toContain("cli.second");
    const json = await eva("dlq", "list", "--json", "--status", "pending");
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as { id: number; eventType: string; attempts: number; handler: string }[];
    expect(rows.map((r) => [r.id, r.eventType, r.attempts, r.handler])).toEqual([
      [first, "cli.first", 1, "noop"],
      [second, "cli.second", 1, "noop"],
    ]);
    expect((await eva("dlq", "list", "--status", "discarded")).stdout).toBe("no discarded dead letters\n");
  });

  it("refuses bad input and writes nothing", async () => {
    const before = await snapshot();
    const cases: [string[], number, RegExp][] = [
      [["dlq", "replay", "abc"], 2, /not a dead letter id/],
      [["dlq", "replay"], 2, /give a dead letter id, or --all/],
      [["dlq", "replay", String(first), "--all"], 2, /not both/],
      [["dlq", "replay", "999999"], 1, /no dead letter 999999.*\n.*\[EV404\]/],
      [["dlq", "drop", "-3"], 2, /./],
      [["dlq", "drop", "999999"], 1, /\[EV404\]/],
      [["dlq", "list", "--status", "lost"], 2, /--status must be one of pending, replayed, discarded/],
    ];
    for (const [args, code, error] of cases) {
      const r = await eva(...args);
      expect(r.code, args.join(" ")).toBe(code);
      expect(r.stderr, args.join(" ")).toMatch(error);
    }
    expect(await snapshot()).toEqual(before);
  });

  it("replay queues one re-delivery job per replay; asking again while it is queued is refused (EV409)", async () => {
    const r = await eva("dlq", "replay", String(first));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`dead letter ${first}: replay 1 queued`);
    const jobs = await sql<{ key: string; payload: { dlq_id: number; replay: number } }>`
      select key, payload from graphile_worker._private_jobs where key like 'event_replay:%'`.execute(t.db);
    expect(jobs.rows).toEqual([
      { key: `event_replay:${first}:1`, payload: expect.objectContaining({ dlq_id: first, replay: 1 }) },
    ]);
    const before = await snapshot();
    const again = await eva("dlq", "replay", String(first));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/replay 1 of dead letter \d+ is queued.*\n.*\[EV409\]/);
    expect(await snapshot()).toEqual(before);
    // --all skips the one already queued.
    const all = await eva("dlq", "replay", "--all", "--json");
    expect(JSON.parse(all.stdout)).toEqual([{ id: second, replay: 1 }]);
  });

  it("drop discards a dead letter with who and when; dropping it again is refused (EV409)", async () => {
    const third = await deadLetter("cli.third", "handler crashed");
    const r = await eva("dlq", "drop", String(third));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`dead letter ${third} dropped\n`);
    const row = await t.db
      .selectFrom("eva_event_dlq")
      .selectAll()
      .where("id", "=", String(third))
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "discarded", discarded_by: "eva_chairman" });
    expect(row.discarded_at).toBeInstanceOf(Date);
    const again = await eva("dlq", "drop", String(third));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/dropped already.*\[EV409\]|\[EV409\]/s);
    const replay = await eva("dlq", "replay", String(third));
    expect(replay.stderr).toMatch(/\[EV409\]/);
    expect((await eva("dlq", "list", "--status", "discarded")).stdout).toContain("cli.third");
  });

  it("explains itself", async () => {
    const help = await eva("dlq", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("eva dlq replay --all");
    expect((await eva("--help")).stdout).toMatch(/dlq\s+the dead-letter queue/);
  });
});
