// eva schedule: what the master scheduler will do and when (scheduler time,
// eva.fn_scheduler_now()), per-venture cadence overrides, run-now, the
// scheduler's clock, and running a tick by hand.
import { type Command, Option } from "commander";
import { sql } from "kysely";
import { type Database, withRole } from "../../db/client.ts";
import { type SchedulerTaskName, TICKS } from "../../tasks/scheduler.ts";
import { withSession } from "../database.ts";
import { printFields, printJson, printTable, UserError } from "../output.ts";
import { namedVenture } from "../venture-ref.ts";
import { summaryOf } from "./index.ts";

const UNITS: Record<string, string> = { m: "minutes", h: "hours", d: "days", w: "weeks" };

/** "7d", "12h", "90m", "2w" → a PostgreSQL interval ("7 days"); bad input names the flag (exit 2). */
export const durationOption = (flag: string) => (value: string) => {
  const m = /^\s*(\d{1,4})\s*([mhdw])\s*$/i.exec(value);
  if (!m?.[1] || !m[2] || Number(m[1]) === 0)
    throw new UserError(`${flag} must be a duration like 7d, 12h, 90m or 2w, not "${value}"`, 2);
  return `${Number(m[1])} ${UNITS[m[2].toLowerCase()]}`;
};

const ventureId = (db: Database, ref: string) => namedVenture(db, ref, { what: "venture", exitCode: 2 });

interface DueRow {
  venture: string;
  ventureId: string;
  kind: string;
  dueAt: string;
  riskBand: string | null;
  cadence: string | null;
  interval: string | null;
}

async function schedule(db: Database, id: string | null): Promise<{ now: string; due: DueRow[] }> {
  const { rows } = await sql<{
    venture_name: string;
    venture_id: string;
    kind: string;
    due_at: Date;
    risk_band: string | null;
    cadence_source: string | null;
    cadence_interval: string | null;
  }>`select venture_name, venture_id, kind, due_at, risk_band, cadence_source, cadence_interval::text
     from eva.fn_venture_schedule(${id}::uuid)`.execute(db);
  const now = (await sql<{ now: Date }>`select eva.fn_scheduler_now() as now`.execute(db)).rows[0]?.now ?? new Date();
  return {
    now: new Date(now).toISOString(),
    due: rows.map((r) => ({
      venture: r.venture_name,
      ventureId: r.venture_id,
      kind: r.kind,
      dueAt: new Date(r.due_at).toISOString(),
      riskBand: r.risk_band,
      cadence: r.cadence_source,
      interval: r.cadence_interval,
    })),
  };
}

export function registerSchedule(program: Command): void {
  const cmd = program
    .command("schedule")
    .description(summaryOf("schedule"))
    .argument("[venture]", "only this venture (id or exact name)")
    .option("--json", 'print [{ "venture", "kind", "dueAt", … }] as JSON')
    .addHelpText(
      "after",
      `
Times are the scheduler's (eva.fn_scheduler_now(): now plus the clock offset that
"eva schedule clock" moves). Kinds: ops_cycle (the next Stage 24-25 cycle after a
"continue"), health_check (the portfolio health scan examines the venture).

Examples:
  eva schedule
  eva schedule LedgerLoop --json
  eva schedule run-now LedgerLoop
  eva schedule set LedgerLoop --ops-cycle 3d --reason "launch week"
  eva schedule clock --advance 7d`,
    )
    .action(async (ref: string | undefined, options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const result = await withRole(connection.db, "eva_chairman", async (trx) =>
          schedule(trx, ref ? (await ventureId(trx, ref)).id : null),
        );
        if (options.json) return printJson(result.due);
        process.stdout.write(`scheduler time: ${result.now}\n`);
        if (result.due.length === 0) return void process.stdout.write("nothing scheduled\n");
        printTable(result.due, [
          ["dueAt", "DUE"],
          ["venture", "VENTURE"],
          ["kind", "KIND"],
          ["riskBand", "RISK"],
          ["interval", "EVERY"],
          ["cadence", "SET BY"],
        ]);
      });
    });

  cmd
    .command("run-now <venture>")
    .description("make the venture's scheduled work and health check due now (the impatient Chairman)")
    .option("--json", "print the result as JSON")
    .action(async (ref: string, options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const result = await withRole(connection.db, "eva_chairman", async (trx) => {
          const v = await ventureId(trx, ref);
          const { rows } = await sql<{ n: number }>`select eva.fn_schedule_run_now(${v.id}::uuid) as n`.execute(trx);
          return { venture: v.name, broughtForward: rows[0]?.n ?? 0 };
        });
        if (options.json || cmd.opts().json) return printJson(result);
        process.stdout.write(
          `${result.venture}: ${result.broughtForward} scheduled run(s) due now; its health check is due at the next scan\n`,
        );
      });
    });

  cmd
    .command("set <venture>")
    .description("the Chairman's cadence override for a venture (or --auto: follow its health band again)")
    .addOption(
      new Option("--band <band>", "risk band: its intervals from the cadence table").choices([
        "high",
        "moderate",
        "stable",
      ]),
    )
    .option(
      "--ops-cycle <duration>",
      "ops cycle (Stages 24-25) interval, 1d-365d, e.g. 7d",
      durationOption("--ops-cycle"),
    )
    .option("--health-check <duration>", "health check interval, 1h-90d, e.g. 1d", durationOption("--health-check"))
    .option("--reason <text>", "why (required for an override)")
    .option("--auto", "hand the cadence back to the venture's health band")
    .option("--json", "print the cadence as JSON")
    .action(
      async (
        ref: string,
        options: {
          band?: string;
          opsCycle?: string;
          healthCheck?: string;
          reason?: string;
          auto?: boolean;
          json?: boolean;
        },
      ) => {
        if (options.auto && (options.band || options.opsCycle || options.healthCheck))
          throw new UserError(
            "--auto hands the cadence back to the health band: give it without --band, --ops-cycle, --health-check",
            2,
          );
        if (!options.auto && !options.band && !options.opsCycle && !options.healthCheck)
          throw new UserError("say what the cadence is: --band, --ops-cycle or --health-check (or --auto)", 2);
        if (!options.auto && !options.reason?.trim()) throw new UserError("--reason: an override needs a reason", 2);
        await withSession(async ({ connection }) => {
          const row = await withRole(connection.db, "eva_chairman", async (trx) => {
            const v = await ventureId(trx, ref);
            const { rows } = await sql<{
              risk_band: string;
              ops_cycle: string;
              health_check: string;
              source: string;
              override_reason: string | null;
            }>`select risk_band, ops_cycle::text, health_check::text, source, override_reason
               from eva.fn_set_venture_cadence(${v.id}::uuid, ${options.band ?? null}, ${options.opsCycle ?? null}::interval,
                 ${options.healthCheck ?? null}::interval, ${options.reason ?? null}, ${options.auto ?? false})`.execute(
              trx,
            );
            return { venture: v.name, ...rows[0] };
          });
          if (options.json || cmd.opts().json) return printJson(row);
          printFields([
            ["venture", row.venture],
            ["risk band", row.risk_band],
            ["ops cycle", row.ops_cycle],
            ["health check", row.health_check],
            ["set by", row.source === "chairman" ? `the Chairman: ${row.override_reason}` : "the health band"],
          ]);
        });
      },
    );

  cmd
    .command("clock")
    .description("show or move the scheduler's clock (tests, demos: move time instead of waiting)")
    .option("--advance <duration>", "move it forward, e.g. 7d", durationOption("--advance"))
    .option("--reset", "back to real time")
    .option("--json", "print as JSON")
    .action(async (options: { advance?: string; reset?: boolean; json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const now = await withRole(connection.db, "eva_chairman", async (trx) => {
          if (!options.advance && !options.reset)
            return (await sql<{ t: Date }>`select eva.fn_scheduler_now() as t`.execute(trx)).rows[0]?.t;
          return (
            await sql<{
              t: Date;
            }>`select eva.fn_set_scheduler_clock(${options.advance ?? null}::interval, ${options.reset ?? false}) as t`.execute(
              trx,
            )
          ).rows[0]?.t;
        });
        const schedulerTime = new Date(now ?? Date.now()).toISOString();
        if (options.json || cmd.opts().json) return printJson({ schedulerTime, realTime: new Date().toISOString() });
        process.stdout.write(`scheduler time: ${schedulerTime}\n`);
      });
    });

  cmd
    .command("tick <task>")
    .description(`run one master-scheduler tick now, without a worker (${Object.keys(TICKS).join(", ")})`)
    .option("--json", "print what it did as JSON")
    .action(async (task: string, options: { json?: boolean }) => {
      if (!Object.hasOwn(TICKS, task))
        throw new UserError(`<task> must be one of ${Object.keys(TICKS).join(", ")}, not "${task}"`, 2);
      await withSession(async ({ connection }) => {
        const result = await withRole(connection.db, "eva_service", (trx) => TICKS[task as SchedulerTaskName](trx));
        if (options.json || cmd.opts().json) return printJson(result);
        process.stdout.write(`${task}: ${JSON.stringify(result)}\n`);
      });
    });
}
