// The venture state machines held by the database: stage advance
// (eva.fn_advance_venture_stage, eva.fn_record_gate_outcome), venture status
// (eva.fn_set_venture_status) and the lifecycle reference data they read.
import { sql, type Transaction } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withRole } from "../src/db/client.ts";
import type { DB, VentureStatus } from "../src/db/schema.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { advance, createVenture } from "./helpers/fixtures.ts";

const t = await createTestDatabase();
afterAll(() => t.drop());

interface StageConfig {
  stage_number: number;
  phase_number: number;
  gate_type: string;
  reality_gate: boolean;
  chairman_gate: boolean;
  depends_on: number[];
  required_artifacts: string[];
  produces: string[];
}

let stages: StageConfig[] = [];
/** A passing decision for each gate type, read from eva.gate_decision_options. */
const passing = new Map<string, string>();

// The Chairman's approving decision at each Chairman gate (spec §11).
const CHAIRMAN_APPROVAL: Record<number, { type: string; decision: string }> = {
  10: { type: "brand_approval", decision: "approve" },
  22: { type: "release_decision", decision: "release" },
  25: { type: "venture_future", decision: "continue" },
};

beforeAll(async () => {
  stages = await withRole(t.db, "eva_viewer", (trx) =>
    trx
      .selectFrom("lifecycle_stage_config")
      .select([
        "stage_number",
        "phase_number",
        "gate_type",
        "reality_gate",
        "chairman_gate",
        "depends_on",
        "required_artifacts",
        "produces",
      ])
      .orderBy("stage_number")
      .execute(),
  );
  const options = await withRole(t.db, "eva_viewer", (trx) =>
    trx
      .selectFrom("gate_decision_options")
      .select(["gate_type", "decision"])
      .where("passes", "=", true)
      .orderBy("decision")
      .execute(),
  );
  for (const o of options) if (!passing.has(o.gate_type)) passing.set(o.gate_type, o.decision);
});

function stage(n: number): StageConfig {
  const found = stages.find((s) => s.stage_number === n);
  if (!found) throw new Error(`no stage ${n}`);
  return found;
}

// No request role may run the state functions (test/rls.test.ts): EVA's own
// functions call them as their owner. These tests exercise their rules from
// the superuser connection, as those callers do.
const owner = (statement: ReturnType<typeof sql>) => statement.execute(t.db);
const advanceFrom = (ventureId: string, from: number, to?: number) =>
  owner(sql`select * from eva.fn_advance_venture_stage(${ventureId}::uuid, ${from}, ${to ?? null})`);
const recordGate = (ventureId: string, at: number, decision: string, rationale = "test rationale") =>
  owner(sql`select eva.fn_record_gate_outcome(${ventureId}::uuid, ${at}, ${decision}, ${rationale})`);
const setStatus = (ventureId: string, status: VentureStatus, reason = "test reason") =>
  owner(sql`select eva.fn_set_venture_status(${ventureId}::uuid, ${status}::eva.venture_status, ${reason})`);

/** Opens a blocking decision as a service and returns its id. */
async function openDecision(ventureId: string, at: number, type: string, blocking = true): Promise<string> {
  return withRole(t.db, "eva_service", async (trx) => {
    const row = await trx
      .insertInto("chairman_decisions")
      .values({ venture_id: ventureId, lifecycle_stage: at, decision_type: type, blocking })
      .returning("id")
      .executeTakeFirstOrThrow();
    return row.id;
  });
}

/**
 * Records a Chairman decision without applying its effect, so these tests see
 * fn_advance_venture_stage's own rules about decided rows. Real decisions go
 * through eva.fn_decide (test/decide.test.ts), which also applies the effect;
 * no request role can write this row directly, so this runs as the superuser
 * the tests connect as (who counts as the Chairman) with fn_decide's flag set.
 */
async function decide(id: string, decision: string): Promise<void> {
  await t.db.transaction().execute(async (trx) => {
    await sql`select set_config('eva.deciding', ${id}, true)`.execute(trx);
    await trx.updateTable("chairman_decisions").set({ status: "decided", decision }).where("id", "=", id).execute();
  });
}

/** Walks a venture forward to `target`, passing each gate the way the stages would. */
async function walkTo(ventureId: string, from: number, target: number): Promise<void> {
  for (let s = from; s < target; s++) {
    const config = stage(s);
    if (config.chairman_gate) {
      const approval = CHAIRMAN_APPROVAL[s];
      if (!approval) throw new Error(`no approval known for Chairman gate ${s}`);
      await decide(await openDecision(ventureId, s, approval.type), approval.decision);
    }
    await advance(t.db, ventureId, s, config.gate_type === "none" ? undefined : passing.get(config.gate_type));
  }
}

async function ventureRow(id: string) {
  return t.db
    .selectFrom("ventures")
    .select(["status", "current_lifecycle_stage"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
}

async function workRows(id: string) {
  return t.db
    .selectFrom("venture_stage_work")
    .select(["lifecycle_stage", "run_number", "status", "gate_decision"])
    .where("venture_id", "=", id)
    .orderBy("lifecycle_stage")
    .orderBy("run_number")
    .execute();
}

/** Everything a refused call could have half-written for a venture. */
async function snapshot(id: string) {
  const count = async (
    table: "venture_stage_transitions" | "venture_state_history" | "eva_event_log" | "venture_stage_work",
  ) =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .where("venture_id", "=", id)
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    venture: await t.db.selectFrom("ventures").selectAll().where("id", "=", id).executeTakeFirstOrThrow(),
    work: await t.db.selectFrom("venture_stage_work").selectAll().where("venture_id", "=", id).orderBy("id").execute(),
    transitions: await count("venture_stage_transitions"),
    history: await count("venture_state_history"),
    events: await count("eva_event_log"),
  };
}

describe("stage advance", () => {
  it("moves a venture 1 → 2 → 3 → 4, recording the gate outcome at 3 and every transition", async () => {
    const v = await createVenture(t.db);
    const { rows } = await advanceFrom(v.id, 1);
    expect(rows[0]).toMatchObject({ venture_id: v.id, lifecycle_stage: 2, run_number: 1, status: "ready" });
    await advanceFrom(v.id, 2);
    expect(await ventureRow(v.id)).toEqual({ status: "active", current_lifecycle_stage: 3 });

    await expect(advanceFrom(v.id, 3)).rejects.toMatchObject({ code: "EV412" });
    await recordGate(v.id, 3, "pass", "all six metrics above threshold");
    await advanceFrom(v.id, 3);

    expect(await ventureRow(v.id)).toEqual({ status: "active", current_lifecycle_stage: 4 });
    expect(await workRows(v.id)).toEqual([
      { lifecycle_stage: 1, run_number: 1, status: "completed", gate_decision: null },
      { lifecycle_stage: 2, run_number: 1, status: "completed", gate_decision: null },
      { lifecycle_stage: 3, run_number: 1, status: "completed", gate_decision: "pass" },
      { lifecycle_stage: 4, run_number: 1, status: "ready", gate_decision: null },
    ]);
    const transitions = await t.db
      .selectFrom("venture_stage_transitions")
      .select(["from_stage", "to_stage", "transition_type", "gate_decision", "actor"])
      .where("venture_id", "=", v.id)
      .orderBy("id")
      .execute();
    expect(transitions).toEqual([
      { from_stage: 1, to_stage: 2, transition_type: "advance", gate_decision: null, actor: "postgres" },
      { from_stage: 2, to_stage: 3, transition_type: "advance", gate_decision: null, actor: "postgres" },
      { from_stage: 3, to_stage: 4, transition_type: "advance", gate_decision: "pass", actor: "postgres" },
    ]);
    const work3 = await t.db
      .selectFrom("venture_stage_work")
      .select("gate_outcome")
      .where("venture_id", "=", v.id)
      .where("lifecycle_stage", "=", 3)
      .executeTakeFirstOrThrow();
    expect(work3.gate_outcome).toMatchObject({ decision: "pass", rationale: "all six metrics above threshold" });
  });

  it("records a gate outcome once per run of the stage (EV409 on a second one)", async () => {
    const v = await createVenture(t.db);
    await walkTo(v.id, 1, 3);
    await recordGate(v.id, 3, "kill", "overall score 41");
    await expect(recordGate(v.id, 3, "pass", "changed my mind")).rejects.toMatchObject({ code: "EV409" });
    const work = await t.db
      .selectFrom("venture_stage_work")
      .select("gate_decision")
      .where("venture_id", "=", v.id)
      .where("lifecycle_stage", "=", 3)
      .executeTakeFirstOrThrow();
    expect(work.gate_decision).toBe("kill");
  });

  it("refuses skipping a stage and a from_stage that is not the venture's (EV409)", async () => {
    const v = await createVenture(t.db);
    await expect(advanceFrom(v.id, 1, 3)).rejects.toMatchObject({ code: "EV409" });
    await expect(advanceFrom(v.id, 1, 1)).rejects.toMatchObject({ code: "EV409" });
    await expect(advanceFrom(v.id, 2)).rejects.toMatchObject({ code: "EV409" });
    await advanceFrom(v.id, 1);
    // A stale caller that still thinks the venture is at stage 1 is refused, not applied twice.
    await expect(advanceFrom(v.id, 1)).rejects.toMatchObject({ code: "EV409" });
    expect((await ventureRow(v.id)).current_lifecycle_stage).toBe(2);
  });

  it.each(["killed", "sunset", "exited"] as const)("refuses advancing a %s venture (EV409)", async (status) => {
    const v = await createVenture(t.db);
    await setStatus(v.id, status);
    await expect(advanceFrom(v.id, 1)).rejects.toMatchObject({ code: "EV409" });
    expect(await ventureRow(v.id)).toEqual({ status, current_lifecycle_stage: 1 });
  });

  it("refuses advancing a paused venture (EV423) until it is resumed", async () => {
    const v = await createVenture(t.db);
    await setStatus(v.id, "paused");
    await expect(advanceFrom(v.id, 1)).rejects.toMatchObject({ code: "EV423" });
    await setStatus(v.id, "active");
    await advanceFrom(v.id, 1);
    expect((await ventureRow(v.id)).current_lifecycle_stage).toBe(2);
  });

  it("refuses advancing while a blocking Chairman decision is pending (EV423), not for a non-blocking one", async () => {
    const v = await createVenture(t.db);
    const advisory = await openDecision(v.id, 1, "dfe_escalation", false);
    await advanceFrom(v.id, 1);
    const blocking = await openDecision(v.id, 2, "dfe_escalation");
    await expect(advanceFrom(v.id, 2)).rejects.toMatchObject({
      code: "EV423",
      message: expect.stringContaining(blocking),
    });
    await decide(blocking, "proceed");
    await advanceFrom(v.id, 2);
    expect((await ventureRow(v.id)).current_lifecycle_stage).toBe(3);
    // The advisory decision is still pending and was never in the way.
    const pending = await t.db
      .selectFrom("chairman_decisions")
      .select("status")
      .where("id", "=", advisory)
      .executeTakeFirstOrThrow();
    expect(pending.status).toBe("pending");
  });

  it("refuses advancing a venture awaiting a decision (EV423)", async () => {
    const v = await createVenture(t.db);
    await setStatus(v.id, "awaiting_decision");
    await expect(advanceFrom(v.id, 1)).rejects.toMatchObject({ code: "EV423" });
  });

  it("refuses leaving a gated stage without a recorded outcome or with a non-passing one (EV412)", async () => {
    for (const decision of ["revise", "kill"]) {
      const refused = await createVenture(t.db);
      await walkTo(refused.id, 1, 3);
      await recordGate(refused.id, 3, decision);
      await expect(advanceFrom(refused.id, 3)).rejects.toMatchObject({
        code: "EV412",
        message: expect.stringContaining(decision),
      });
    }
    const v = await createVenture(t.db);
    await walkTo(v.id, 1, 3);
    await expect(advanceFrom(v.id, 3)).rejects.toMatchObject({ code: "EV412" });
    await recordGate(v.id, 3, "pass");
    await advanceFrom(v.id, 3);
    expect((await ventureRow(v.id)).current_lifecycle_stage).toBe(4);
  });

  it("refuses gate decisions the gate type does not know, empty rationales and gates that do not exist (EV400)", async () => {
    const v = await createVenture(t.db);
    await walkTo(v.id, 1, 3);
    await expect(recordGate(v.id, 3, "maybe")).rejects.toMatchObject({ code: "EV400" });
    // A decision of another gate type is as unknown to a kill gate as a made-up one.
    await expect(recordGate(v.id, 3, "release")).rejects.toMatchObject({ code: "EV400" });
    await expect(recordGate(v.id, 3, "pass", "  ")).rejects.toMatchObject({ code: "EV400" });
    await expect(recordGate(v.id, 2, "pass")).rejects.toMatchObject({ code: "EV400" });
    await expect(recordGate(v.id, 26, "pass")).rejects.toMatchObject({ code: "EV400" });
    // A gate of a stage the venture is not at has no open work to record on.
    await expect(recordGate(v.id, 5, "pass")).rejects.toMatchObject({ code: "EV409" });
    expect((await workRows(v.id)).find((w) => w.lifecycle_stage === 3)?.gate_decision).toBeNull();
  });

  it("needs the Chairman's approval on this run of a Chairman gate (EV412), not a service's say-so", async () => {
    const v = await createVenture(t.db);
    await walkTo(v.id, 1, 10);
    await expect(advanceFrom(v.id, 10)).rejects.toMatchObject({ code: "EV412" });
    const revise = await openDecision(v.id, 10, "brand_approval");
    await expect(advanceFrom(v.id, 10)).rejects.toMatchObject({ code: "EV423" });
    await decide(revise, "revise");
    await expect(advanceFrom(v.id, 10)).rejects.toMatchObject({
      code: "EV412",
      message: expect.stringContaining("revise"),
    });
    // A DFE "proceed" is not the brand approval.
    await decide(await openDecision(v.id, 10, "dfe_escalation"), "proceed");
    await expect(advanceFrom(v.id, 10)).rejects.toMatchObject({ code: "EV412" });
    await decide(await openDecision(v.id, 10, "brand_approval"), "approve");
    await advanceFrom(v.id, 10);
    expect((await ventureRow(v.id)).current_lifecycle_stage).toBe(11);

    // At 22 a passing promotion gate recorded by a service is not enough either.
    await walkTo(v.id, 11, 22);
    await recordGate(v.id, 22, "release");
    await expect(advanceFrom(v.id, 22)).rejects.toMatchObject({ code: "EV412" });
    await decide(await openDecision(v.id, 22, "release_decision"), "release");
    await advanceFrom(v.id, 22);
    expect((await ventureRow(v.id)).current_lifecycle_stage).toBe(23);
  });

  it("walks a venture to stage 25 and refuses going beyond it (EV409)", async () => {
    const v = await createVenture(t.db);
    await walkTo(v.id, 1, 25);
    expect(await ventureRow(v.id)).toEqual({ status: "active", current_lifecycle_stage: 25 });
    await recordGate(v.id, 25, "continue");
    await decide(await openDecision(v.id, 25, "venture_future"), "continue");
    await expect(advanceFrom(v.id, 25)).rejects.toMatchObject({ code: "EV409" });
    await expect(advanceFrom(v.id, 25, 26)).rejects.toMatchObject({ code: "EV409" });

    const transitions = await t.db
      .selectFrom("venture_stage_transitions")
      .select(["from_stage", "to_stage", "gate_decision"])
      .where("venture_id", "=", v.id)
      .orderBy("id")
      .execute();
    expect(transitions.map((r) => [r.from_stage, r.to_stage])).toEqual(
      Array.from({ length: 24 }, (_, i) => [i + 1, i + 2]),
    );
    // Every gated stage left a passing decision on its transition.
    for (const r of transitions) {
      const gate = stage(r.from_stage).gate_type;
      expect(r.gate_decision).toBe(gate === "none" ? null : passing.get(gate));
    }
    const work = await workRows(v.id);
    expect(work).toHaveLength(25);
    expect(work.filter((w) => w.status !== "completed")).toEqual([
      { lifecycle_stage: 25, run_number: 1, status: "ready", gate_decision: "continue" },
    ]);
  });

  it("refuses an unknown venture (EV404)", async () => {
    const nobody = "00000000-0000-4000-8000-000000000000";
    await expect(advanceFrom(nobody, 1)).rejects.toMatchObject({ code: "EV404" });
    await expect(setStatus(nobody, "paused")).rejects.toMatchObject({ code: "EV404" });
  });

  it("keeps exactly one open stage work row per venture", async () => {
    const v = await createVenture(t.db);
    await walkTo(v.id, 1, 6);
    const open = (await workRows(v.id)).filter((w) =>
      ["ready", "in_progress", "blocked", "awaiting_decision"].includes(w.status),
    );
    expect(open).toEqual([{ lifecycle_stage: 6, run_number: 1, status: "ready", gate_decision: null }]);
    // Even the table owner cannot open a second one.
    await expect(
      t.db.transaction().execute(async (trx) => {
        await sql`set local role eva_owner`.execute(trx);
        await sql`insert into eva.venture_stage_work (venture_id, lifecycle_stage, run_number, status)
                  values (${v.id}, 7, 1, 'ready')`.execute(trx);
      }),
    ).rejects.toMatchObject({ code: "23505" });
  });

  it.each([
    ["a skip", (id: string) => advanceFrom(id, 3, 5), "EV409"],
    ["a missing gate outcome", (id: string) => advanceFrom(id, 3), "EV412"],
    [
      "a failing gate outcome recorded in the same transaction",
      (id: string) =>
        t.db.transaction().execute(async (trx: Transaction<DB>) => {
          await sql`select eva.fn_record_gate_outcome(${id}::uuid, 3, 'kill', 'numbers do not work')`.execute(trx);
          await sql`select eva.fn_advance_venture_stage(${id}::uuid, 3)`.execute(trx);
        }),
      "EV412",
    ],
    [
      "a pause and an advance in one transaction",
      (id: string) =>
        t.db.transaction().execute(async (trx: Transaction<DB>) => {
          await sql`select eva.fn_set_venture_status(${id}::uuid, 'paused', 'probe')`.execute(trx);
          await sql`select eva.fn_advance_venture_stage(${id}::uuid, 3)`.execute(trx);
        }),
      "EV423",
    ],
  ] as const)("leaves nothing half-applied after %s", async (_label, attempt, code) => {
    const v = await createVenture(t.db);
    await walkTo(v.id, 1, 3);
    const before = await snapshot(v.id);
    await expect(attempt(v.id)).rejects.toMatchObject({ code });
    expect(await snapshot(v.id)).toEqual(before);
  });
});

describe("venture status", () => {
  const STATUSES: VentureStatus[] = ["active", "awaiting_decision", "paused", "killed", "sunset", "exited"];
  // The legal moves (eva_private.venture_status_transition_allowed); everything else is EV409.
  const LEGAL: Record<VentureStatus, VentureStatus[]> = {
    active: ["awaiting_decision", "paused", "killed", "sunset", "exited"],
    awaiting_decision: ["active", "paused", "killed", "sunset", "exited"],
    paused: ["active", "killed", "sunset", "exited"],
    killed: [],
    sunset: [],
    exited: [],
  };
  // How a venture born active reaches each status.
  const PATH: Record<VentureStatus, VentureStatus[]> = {
    active: [],
    awaiting_decision: ["awaiting_decision"],
    paused: ["paused"],
    killed: ["killed"],
    sunset: ["sunset"],
    exited: ["exited"],
  };
  const moves = STATUSES.flatMap((from) =>
    STATUSES.filter((to) => to !== from).map((to) => ({ from, to, legal: LEGAL[from].includes(to) })),
  );

  it.each(moves)("$from → $to legal=$legal", async ({ from, to, legal }) => {
    const v = await createVenture(t.db);
    for (const step of PATH[from]) await setStatus(v.id, step, `to ${step}`);
    const before = await snapshot(v.id);
    const move = setStatus(v.id, to, `from ${from} to ${to}`);
    if (!legal) {
      await expect(move).rejects.toMatchObject({ code: "EV409" });
      expect(await snapshot(v.id)).toEqual(before);
      return;
    }
    await move;
    expect((await ventureRow(v.id)).status).toBe(to);
    const last = await t.db
      .selectFrom("venture_state_history")
      .select(["from_status", "to_status", "reason", "actor"])
      .where("venture_id", "=", v.id)
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(last).toEqual({ from_status: from, to_status: to, reason: `from ${from} to ${to}`, actor: "postgres" });
  });

  it("records the birth of a venture and treats setting the same status as a no-op", async () => {
    const v = await createVenture(t.db);
    const history = () =>
      t.db
        .selectFrom("venture_state_history")
        .select(["from_status", "to_status"])
        .where("venture_id", "=", v.id)
        .orderBy("id")
        .execute();
    expect(await history()).toEqual([{ from_status: null, to_status: "active" }]);
    await setStatus(v.id, "active", "already active");
    expect(await history()).toEqual([{ from_status: null, to_status: "active" }]);
  });

  it("needs a reason for a status change (EV400)", async () => {
    const v = await createVenture(t.db);
    await expect(setStatus(v.id, "paused", " ")).rejects.toMatchObject({ code: "EV400" });
    expect((await ventureRow(v.id)).status).toBe("active");
  });

  it("lets a caller that is not the Chairman kill a venture but leaves sunset and exit to the Chairman (EV403)", async () => {
    const v = await createVenture(t.db);
    const asOwner = (status: VentureStatus) =>
      t.db.transaction().execute(async (trx) => {
        await sql`set local role eva_owner`.execute(trx);
        await sql`select eva.fn_set_venture_status(${v.id}::uuid, ${status}::eva.venture_status, 'x')`.execute(trx);
      });
    for (const status of ["sunset", "exited"] as const) {
      await expect(asOwner(status)).rejects.toMatchObject({ code: "EV403" });
    }
    expect((await ventureRow(v.id)).status).toBe("active");
    await asOwner("killed");
    expect((await ventureRow(v.id)).status).toBe("killed");
  });

  it("supersedes the open stage work of a venture that ends", async () => {
    const v = await createVenture(t.db);
    await setStatus(v.id, "killed", "kill gate at stage 1");
    const work = await t.db
      .selectFrom("venture_stage_work")
      .select(["lifecycle_stage", "status"])
      .where("venture_id", "=", v.id)
      .execute();
    expect(work).toEqual([{ lifecycle_stage: 1, status: "superseded" }]);
  });

  it("holds the status machine for the table owner too, not only through the function", async () => {
    const v = await createVenture(t.db);
    await setStatus(v.id, "killed");
    await expect(
      t.db.transaction().execute(async (trx) => {
        await sql`set local role eva_owner`.execute(trx);
        await sql`update eva.ventures set status = 'active' where id = ${v.id}`.execute(trx);
      }),
    ).rejects.toMatchObject({ code: "EV409" });
  });
});

describe("lifecycle reference data", () => {
  it("has six phases covering stages 1-25 in order, without gaps", async () => {
    const phases = await withRole(t.db, "eva_viewer", (trx) =>
      trx.selectFrom("lifecycle_phases").select(["id", "first_stage", "last_stage"]).orderBy("id").execute(),
    );
    expect(phases).toEqual([
      { id: 1, first_stage: 1, last_stage: 5 },
      { id: 2, first_stage: 6, last_stage: 9 },
      { id: 3, first_stage: 10, last_stage: 12 },
      { id: 4, first_stage: 13, last_stage: 16 },
      { id: 5, first_stage: 17, last_stage: 22 },
      { id: 6, first_stage: 23, last_stage: 25 },
    ]);
    for (const s of stages) {
      const phase = phases.find((p) => p.first_stage <= s.stage_number && s.stage_number <= p.last_stage);
      expect(phase?.id, `stage ${s.stage_number}`).toBe(s.phase_number);
    }
  });

  it("has 25 stages", () => {
    expect(stages.map((s) => s.stage_number)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it("has each required artifact produced (first) by the stage it depends on, and only earlier stages as dependencies", () => {
    for (const s of stages) {
      expect(s.required_artifacts, `stage ${s.stage_number}`).toHaveLength(s.depends_on.length);
      s.depends_on.forEach((dep, i) => {
        expect(dep, `stage ${s.stage_number} depends on ${dep}`).toBeLessThan(s.stage_number);
        expect(dep).toBeGreaterThanOrEqual(1);
        expect(s.required_artifacts[i], `stage ${s.stage_number} requires from ${dep}`).toBe(stage(dep).produces[0]);
      });
    }
  });

  it("places the Chairman, reality, kill and promotion gates where the spec puts them", () => {
    const where = (pick: (s: StageConfig) => boolean) => stages.filter(pick).map((s) => s.stage_number);
    expect(where((s) => s.chairman_gate)).toEqual([10, 22, 25]);
    expect(where((s) => s.reality_gate)).toEqual([5, 9, 12, 16, 20]);
    expect(where((s) => s.gate_type === "kill")).toEqual([3, 5, 13, 23]);
    expect(where((s) => s.gate_type === "promotion")).toEqual([16, 22]);
    expect(where((s) => s.gate_type === "venture_decision")).toEqual([25]);
  });

  it("gives every gate type a passing and a non-passing decision", async () => {
    const options = await withRole(t.db, "eva_viewer", (trx) =>
      trx.selectFrom("gate_decision_options").select(["gate_type", "passes"]).execute(),
    );
    const gated = new Set(stages.map((s) => s.gate_type).filter((g) => g !== "none"));
    for (const gate of gated) {
      expect(
        options.some((o) => o.gate_type === gate && o.passes),
        `${gate} passes`,
      ).toBe(true);
      expect(
        options.some((o) => o.gate_type === gate && !o.passes),
        `${gate} fails`,
      ).toBe(true);
    }
  });
});
