// Who reads what, least privilege and the audit trail (spec §12), replayed as
// the attacker of issue 16 would, in SQL as the real roles: a decision's notes
// stay with the Chairman, no request role runs the state functions, and every
// direct write leaves an audit.write event (who, what, before → after) or is
// refused.
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { type Role, withRole } from "../src/db/client.ts";
import { DFE_PREFERENCE_KEYS } from "../src/gates/dfe.ts";
import { PREFERENCE_KEYS } from "../src/gates/profiles.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { createVenture, openEscalation } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

const C: Role = "eva_chairman";
const S: Role = "eva_service";
const V: Role = "eva_viewer";

const asRole = <T>(role: Role, statement: ReturnType<typeof sql<T>>, sub = `${role}-sub`) =>
  withRole(t.db, role, async (trx) => (await statement.execute(trx)).rows, { sub });

const decide = (id: string, decision: string, notes: string) =>
  asRole(C, sql`select eva.fn_decide(${id}::uuid, ${decision}, ${notes})`);

interface AuditEvent {
  actor: string;
  venture_id: string | null;
  payload: {
    table: string;
    op: string;
    row: Record<string, unknown>;
    role: string;
    sub: string | null;
    changes: Record<string, { before: unknown; after: unknown }>;
  };
}

/** The audit.write events of `table` logged after event `after`, oldest first (read as the superuser). */
async function audits(table: string, after: number): Promise<AuditEvent[]> {
  const { rows } = await sql<AuditEvent>`
    select actor, venture_id, payload from eva.eva_event_log
    where event_type = 'audit.write' and payload ->> 'table' = ${table} and id > ${after} order by id`.execute(t.db);
  return rows;
}
async function lastEventId(): Promise<number> {
  const { rows } = await sql<{ id: string | null }>`select max(id)::text as id from eva.eva_event_log`.execute(t.db);
  return Number(rows[0]?.id ?? 0);
}

describe("who reads what: a decision's notes", () => {
  const NOTE = "private-note: the founder is my nephew";

  it("keeps the notes out of every row a viewer reads, says what happened there, and shows them to the Chairman", async () => {
    const proceeded = await openEscalation(t.db, t.service);
    const blocked = await openEscalation(t.db, t.service);
    await decide(proceeded.decisionId, "proceed", `${NOTE} (proceed)`);
    await decide(blocked.decisionId, "block", `${NOTE} (block)`);
    const ventures = [proceeded.ventureId, blocked.ventureId];

    for (const table of ["venture_state_history", "venture_stage_transitions", "venture_stage_work", "eva_event_log"]) {
      const rows = await asRole<{ n: number }>(
        V,
        sql`select count(*)::int as n from ${sql.table(`eva.${table}`)} x
            where x.venture_id = any (${ventures}::uuid[]) and x::text like '%private-note%'`,
      );
      expect(rows[0]?.n, table).toBe(0);
    }
    const feed = await asRole<{ payload: unknown }>(V, sql`select payload from eva.fn_event_feed(null, 1000)`);
    expect(JSON.stringify(feed)).not.toContain("private-note");

    // What happened is there for viewers: the Chairman's decision, not why.
    const history = await asRole<{ to_status: string; reason: string }>(
      V,
      sql`select to_status, reason from eva.venture_state_history
          where venture_id = ${proceeded.ventureId}::uuid and from_status = 'awaiting_decision'`,
    );
    expect(history).toEqual([{ to_status: "active", reason: 'Chairman decided "proceed" at stage 1' }]);
    const transitions = await asRole<{ reason: string }>(
      V,
      sql`select reason from eva.venture_stage_transitions where venture_id = ${proceeded.ventureId}::uuid`,
    );
    expect(transitions).toEqual([{ reason: 'Chairman decided "proceed" at stage 1' }]);
    const work = await asRole<{ blocked_reason: string }>(
      V,
      sql`select blocked_reason from eva.venture_stage_work where venture_id = ${blocked.ventureId}::uuid and status = 'blocked'`,
    );
    expect(work).toEqual([{ blocked_reason: 'Chairman decided "block" at stage 1' }]);
    const events = await asRole<{ event_type: string }>(
      V,
      sql`select event_type from eva.eva_event_log where venture_id = ${proceeded.ventureId}::uuid order by id`,
    );
    expect(events.map((e) => e.event_type)).toContain("venture.activated");
    expect(events.map((e) => e.event_type)).not.toContain("chairman.approval");

    // The notes are the Chairman's: in the decision, which viewers cannot read.
    const mine = await asRole<{ notes: string }>(
      C,
      sql`select notes from eva.chairman_decisions where id = ${proceeded.decisionId}::uuid`,
    );
    expect(mine).toEqual([{ notes: `${NOTE} (proceed)` }]);
    await expect(asRole(V, sql`select notes from eva.chairman_decisions`)).rejects.toMatchObject({ code: "42501" });
  });
});

describe("least privilege", () => {
  const STATE_CALLS = (venture: string) => [
    sql`select eva.fn_set_venture_status(${venture}::uuid, 'paused', 'probe')`,
    sql`select eva.fn_advance_venture_stage(${venture}::uuid, 1)`,
    sql`select eva.fn_record_gate_outcome(${venture}::uuid, 3, 'pass', 'probe')`,
    sql`select eva.fn_rerun_stage(${venture}::uuid, 2, 'probe')`,
    sql`select eva.fn_retry_stage_work(gen_random_uuid())`,
  ];

  it("lets no request role run the state functions: EVA's own functions do (42501)", async () => {
    const v = await createVenture(t.db);
    for (const role of [C, S, V, "eva_anonymous"] as Role[]) {
      for (const call of STATE_CALLS(v.id)) {
        await expect(asRole(role, call), `${role}: ${call.compile(t.db).sql}`).rejects.toMatchObject({ code: "42501" });
      }
    }
  });

  it("refuses, as eva_chairman in SQL, to set a venture awaiting a decision active while the decision is pending", async () => {
    const e = await openEscalation(t.db, t.service);
    await expect(
      asRole(C, sql`select eva.fn_set_venture_status(${e.ventureId}::uuid, 'active', 'skip the decision')`),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(
      asRole(C, sql`update eva.ventures set status = 'active' where id = ${e.ventureId}::uuid`),
    ).rejects.toMatchObject({ code: "42501" });
    // Not even the owner's functions may: the status machine refuses it while the decision is pending.
    await expect(
      sql`select eva.fn_set_venture_status(${e.ventureId}::uuid, 'active', 'skip the decision')`.execute(t.db),
    ).rejects.toMatchObject({ code: "EV423", message: expect.stringContaining("waiting for a Chairman decision") });
    const state = await sql<{ status: string; decision: string }>`
      select v.status, d.status as decision from eva.ventures v join eva.chairman_decisions d on d.venture_id = v.id
      where v.id = ${e.ventureId}::uuid`.execute(t.db);
    expect(state.rows).toEqual([{ status: "awaiting_decision", decision: "pending" }]);
    // Deciding is the way on.
    await decide(e.decisionId, "proceed", "go");
    const after = await sql<{
      status: string;
    }>`select status from eva.ventures where id = ${e.ventureId}::uuid`.execute(t.db);
    expect(after.rows).toEqual([{ status: "active" }]);
  });

  it("grants execute on the functions it reviewed to exactly the roles whose path uses them", async () => {
    const expected: Record<string, string[]> = {
      "eva.fn_set_venture_status(uuid,eva.venture_status,text)": [],
      "eva.fn_advance_venture_stage(uuid,integer,integer,text)": [],
      "eva.fn_record_gate_outcome(uuid,integer,text,text,jsonb)": [],
      "eva.fn_rerun_stage(uuid,integer,text,text,timestamp with time zone)": [],
      "eva.fn_retry_stage_work(uuid)": [],
      "eva.fn_decide(uuid,text,text)": [C],
      "eva.fn_create_venture(text,text,text,text,text,eva.venture_archetype,text[],text[],text,uuid,text)": [C],
      "eva.fn_record_venture_metrics(uuid,jsonb)": [C, S],
      // The stage-run functions carry the run's task contract and circuits (migration 1763900000021).
      "eva.fn_begin_stage_run(uuid,text[],text)": [S],
      "eva.fn_record_stage_result(uuid,jsonb,jsonb,jsonb,jsonb,uuid)": [S],
      "eva.fn_block_stage_work(uuid,text,text,jsonb,uuid)": [S],
      "eva.fn_charge_tokens(uuid,integer,uuid,text,integer,integer,boolean,jsonb)": [S],
      "eva.fn_sd_complete(uuid,text,integer,integer,numeric,jsonb)": [S],
      "eva_private.fn_log_event(text,uuid,jsonb)": [],
      "eva_private.fn_apply_decision(eva.chairman_decisions)": [],
    };
    const { rows } = await sql<{ fn: string; roles: string[] }>`
      select p.oid::regprocedure::text as fn,
        array(select r from unnest(array['eva_chairman', 'eva_service', 'eva_viewer', 'eva_anonymous']) r
              where has_function_privilege(r, p.oid, 'EXECUTE') order by r) as roles
      from pg_proc p where p.oid::regprocedure::text = any (${Object.keys(expected)})`.execute(t.db);
    expect(Object.fromEntries(rows.map((r) => [r.fn, r.roles]))).toEqual(expected);
  });

  it("leaves services no direct update of ventures or artifacts: they write through EVA's functions", async () => {
    const v = await createVenture(t.db);
    await expect(
      asRole(S, sql`update eva.ventures set health_score = 1 where id = ${v.id}::uuid`),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(
      asRole(S, sql`update eva.venture_artifacts set validation_status = 'rejected' where venture_id = ${v.id}::uuid`),
    ).rejects.toMatchObject({ code: "42501" });
  });
});

describe("every write audited", () => {
  /** A current venture_brief artifact written as a worker would (a service insert). */
  async function artifact(ventureId: string, content: Record<string, unknown>): Promise<string> {
    const rows = await asRole<{ id: string }>(
      S,
      sql`insert into eva.venture_artifacts (venture_id, lifecycle_stage, artifact_type, content, validation_status, epistemic_classification)
          values (${ventureId}::uuid, 2, 'idea_validation', ${JSON.stringify(content)}::jsonb, 'validated', 'simulation') returning id`,
    );
    return String(rows[0]?.id);
  }

  it("logs a flipped artifact verdict with who and before → after, and refuses it on a retired version (EV430)", async () => {
    const v = await createVenture(t.db);
    const first = await artifact(v.id, { score: 61 });
    const since = await lastEventId();
    await asRole(C, sql`update eva.venture_artifacts set validation_status = 'rejected' where id = ${first}::uuid`);
    await asRole(C, sql`update eva.venture_artifacts set validation_status = 'validated' where id = ${first}::uuid`);
    const logged = await audits("eva.venture_artifacts", since);
    expect(logged).toEqual([
      {
        actor: C,
        venture_id: v.id,
        payload: {
          table: "eva.venture_artifacts",
          op: "update",
          row: { id: first },
          role: C,
          sub: "eva_chairman-sub",
          changes: { validation_status: { before: "validated", after: "rejected" } },
        },
      },
      expect.objectContaining({
        payload: expect.objectContaining({
          changes: { validation_status: { before: "rejected", after: "validated" } },
        }),
      }),
    ]);
    await artifact(v.id, { score: 70 });
    await expect(
      asRole(C, sql`update eva.venture_artifacts set validation_status = 'rejected' where id = ${first}::uuid`),
    ).rejects.toMatchObject({ code: "EV430" });
  });

  it("logs the service's own direct writes too (an alert raised and resolved)", async () => {
    const v = await createVenture(t.db);
    const since = await lastEventId();
    const [alert] = await asRole<{ id: string }>(
      S,
      sql`insert into eva.eva_alerts (venture_id, severity, alert_type, message) values (${v.id}::uuid, 'P2', 'probe', 'probe') returning id`,
    );
    await asRole(
      S,
      sql`update eva.eva_alerts set status = 'resolved', resolved_at = now() where id = ${alert?.id}::uuid`,
    );
    const logged = await audits("eva.eva_alerts", since);
    expect(logged.map((e) => [e.payload.op, e.payload.role, e.venture_id])).toEqual([
      ["insert", S, v.id],
      ["update", S, v.id],
    ]);
    expect(logged[0]?.payload.row).toEqual({ id: alert?.id });
    expect(logged[1]?.payload.changes.status).toEqual({ before: "open", after: "resolved" });
  });

  it("logs a changed moat_strategy, a prompt input", async () => {
    const v = await createVenture(t.db);
    const since = await lastEventId();
    await asRole(C, sql`update eva.ventures set moat_strategy = 'network effects' where id = ${v.id}::uuid`);
    const logged = await audits("eva.ventures", since);
    expect(logged).toHaveLength(1);
    expect(logged[0]?.venture_id).toBe(v.id);
    expect(logged[0]?.payload.changes).toEqual({ moat_strategy: { before: null, after: "network effects" } });
  });

  it("bounds token budgets (at most a billion tokens) and logs the change it allows", async () => {
    const v = await createVenture(t.db);
    for (const table of ["venture_token_budgets", "venture_phase_budgets"]) {
      await expect(
        asRole(
          C,
          sql`update ${sql.table(`eva.${table}`)} set budget_tokens = 9223372036854775807 where venture_id = ${v.id}::uuid`,
        ),
        table,
      ).rejects.toMatchObject({ code: "23514" });
    }
    const portfolio = await asRole<{ id: string }>(
      C,
      sql`insert into eva.portfolios (name) values (${`Budget probe ${v.id}`}) returning id`,
    );
    await expect(
      asRole(
        C,
        sql`insert into eva.portfolio_ideation_budgets (portfolio_id, budget_tokens) values (${portfolio[0]?.id}::uuid, 9223372036854775807)`,
      ),
    ).rejects.toMatchObject({ code: "23514" });
    const since = await lastEventId();
    const before = await sql<{ budget_tokens: string }>`
      select budget_tokens from eva.venture_token_budgets where venture_id = ${v.id}::uuid`.execute(t.db);
    await asRole(
      C,
      sql`update eva.venture_token_budgets set budget_tokens = 1000000000 where venture_id = ${v.id}::uuid`,
    );
    const logged = await audits("eva.venture_token_budgets", since);
    expect(logged.map((e) => e.payload.changes.budget_tokens)).toEqual([
      { before: Number(before.rows[0]?.budget_tokens), after: 1000000000 },
    ]);
  });

  it("keeps the seeded global preferences: they change (audited), they are never deleted (EV409)", async () => {
    for (const key of ["cost_threshold", "score_threshold", "stage3_pass_threshold"]) {
      await expect(
        asRole(C, sql`delete from eva.chairman_preferences where scope = 'global' and key = ${key}`),
        key,
      ).rejects.toMatchObject({ code: "EV409", message: expect.stringContaining(key) });
    }
    const since = await lastEventId();
    await asRole(
      C,
      sql`update eva.chairman_preferences set value = '40000' where scope = 'global' and key = 'cost_threshold'`,
    );
    const left = await sql<{ value: string }>`
      select value from eva.chairman_preferences where scope = 'global' and key = 'cost_threshold'`.execute(t.db);
    expect(left.rows).toEqual([{ value: "40000" }]);
    const logged = await audits("eva.chairman_preferences", since);
    expect(logged.map((e) => e.payload.changes)).toEqual([{ value: { before: "50000", after: "40000" } }]);

    // A venture's own value may go (the global one applies again), and that is logged too.
    const v = await createVenture(t.db);
    await asRole(
      C,
      sql`insert into eva.chairman_preferences (scope, venture_id, key, value) values ('venture', ${v.id}::uuid, 'score_threshold', '65')`,
    );
    await asRole(C, sql`delete from eva.chairman_preferences where venture_id = ${v.id}::uuid`);
    expect((await audits("eva.chairman_preferences", since)).map((e) => [e.payload.op, e.venture_id])).toEqual([
      ["update", null],
      ["insert", v.id],
      ["delete", v.id],
    ]);
  });

  it.each([
    ["score_threshold", "banana", "a number from 0 to 100"],
    ["score_threshold", "150", "from 0 to 100"],
    ["cost_threshold", "-5", "from 0 to"],
    ["stage13_now_horizon_months", "2.5", "a whole number"],
    ["novel_pattern_min_portfolio", "", "a number"],
    ["drift_escalation_severity", "EXTREME", "one of LOW, MEDIUM, HIGH"],
  ])("refuses preference %s = %j, naming the key (EV400)", async (key, value, says) => {
    const v = await createVenture(t.db);
    await expect(
      asRole(
        C,
        sql`insert into eva.chairman_preferences (scope, venture_id, key, value) values ('venture', ${v.id}::uuid, ${key}, ${value})`,
      ),
    ).rejects.toMatchObject({ code: "EV400", message: expect.stringMatching(new RegExp(`${key}.*${says}`)) });
  });

  it('refuses the seeded global score_threshold = "banana" and keeps its value (EV400)', async () => {
    await expect(
      asRole(
        C,
        sql`update eva.chairman_preferences set value = 'banana' where scope = 'global' and key = 'score_threshold'`,
      ),
    ).rejects.toMatchObject({ code: "EV400", message: expect.stringContaining("score_threshold") });
    const { rows } = await sql<{ value: string }>`
      select value from eva.chairman_preferences where scope = 'global' and key = 'score_threshold'`.execute(t.db);
    expect(rows).toEqual([{ value: "50" }]);
  });

  it("holds in SQL every key the DFE and the gates read, with the gates' ranges", async () => {
    const { rows } = await sql<{ key: string; value_type: string; min_value: string | null; max_value: string | null }>`
      select key, value_type, min_value::text, max_value::text from eva.chairman_preference_keys`.execute(t.db);
    const held = new Map(rows.map((r) => [r.key, r]));
    for (const key of Object.keys(DFE_PREFERENCE_KEYS)) expect(held.has(key), key).toBe(true);
    for (const [key, spec] of Object.entries(PREFERENCE_KEYS)) {
      expect(held.get(key), key).toEqual({
        key,
        value_type: spec.integer ? "integer" : "number",
        min_value: String(spec.min),
        max_value: String(spec.max),
      });
    }
  });

  it("accepts the values the DFE and the gates read (spaces and thousands separators as the DFE reads them)", async () => {
    const v = await createVenture(t.db);
    const values: [string, string][] = [
      ["score_threshold", "72.5"],
      ["cost_threshold", "25,000"],
      ["drift_escalation_severity", "high"],
      ["stage13_now_horizon_months", "12"],
      ["approved_vendors", "React, Go"],
      ["risk_appetite", "whatever EVA does not read"],
    ];
    for (const [key, value] of values) {
      await asRole(
        C,
        sql`insert into eva.chairman_preferences (scope, venture_id, key, value) values ('venture', ${v.id}::uuid, ${key}, ${value})`,
      );
    }
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from eva.chairman_preferences where venture_id = ${v.id}::uuid`.execute(t.db);
    expect(rows[0]?.n).toBe(values.length);
  });

  it("shows the audit trail to the Chairman and services, not to viewers", async () => {
    const v = await createVenture(t.db);
    await asRole(C, sql`update eva.ventures set moat_strategy = 'brand' where id = ${v.id}::uuid`);
    const count = (role: Role) =>
      asRole<{ n: number }>(
        role,
        sql`select count(*)::int as n from eva.eva_event_log where event_type = 'audit.write' and venture_id = ${v.id}::uuid`,
      );
    expect(await count(C)).toEqual([{ n: 1 }]);
    expect(await count(S)).toEqual([{ n: 1 }]);
    expect(await count(V)).toEqual([{ n: 0 }]);
    // Nobody forges one.
    await expect(
      asRole(S, sql`insert into eva.eva_event_log (event_type, payload) values ('audit.write', '{}')`),
    ).rejects.toMatchObject({ code: "42501" });
  });

  it("does not log EVA's own functions' writes twice: they log their own events", async () => {
    const e = await openEscalation(t.db, t.service);
    const since = await lastEventId();
    await decide(e.decisionId, "proceed", "go");
    const { rows } = await sql<{ event_type: string }>`
      select event_type from eva.eva_event_log where id > ${since} and venture_id = ${e.ventureId}::uuid order by id`.execute(
      t.db,
    );
    expect(rows.map((r) => r.event_type)).not.toContain("audit.write");
    expect(rows.map((r) => r.event_type)).toEqual(expect.arrayContaining(["chairman.approval", "venture.activated"]));
  });
});
