// eva sagas list | show | resume | cancel: the durable sagas (spec §15) — SD
// execution, reality gate retry, venture retirement — with their steps as
// eva.eva_saga_steps records them. Resume and cancel are the Chairman's, through
// eva.fn_saga_resume / eva.fn_saga_cancel (EV404 unknown, EV409 not allowed now).
import { type Command, Option } from "commander";
import { sql } from "kysely";
import { type Database, withRole } from "../../db/client.ts";
import { withSession } from "../database.ts";
import { printFields, printJson, printTable, UserError } from "../output.ts";
import { namedVenture } from "../venture-ref.ts";
import { summaryOf } from "./index.ts";

const STATUSES = ["active", "paused", "completed", "failed", "cancelled"] as const;
const TYPES = ["sd_execution", "reality_gate_retry", "venture_retirement"] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SagaSummary {
  id: string;
  ventureId: string;
  venture: string;
  type: string;
  status: string;
  currentStep: string;
  steps: string[];
  retryCount: number;
  pauseReason: string | null;
  lastError: string | null;
  waitUntil: Date | null;
  startedAt: Date;
  completedAt: Date | null;
  timeoutAt: Date | null;
}

export interface SagaStepRow {
  step: string;
  status: string;
  attempts: number;
  result: Record<string, unknown>;
  error: string | null;
  completedAt: Date | null;
}

export async function listSagas(
  db: Database,
  filter: { id?: string; status?: string; type?: string; ventureId?: string } = {},
): Promise<SagaSummary[]> {
  const { rows } = await sql<SagaSummary>`
    select s.id, s.venture_id as "ventureId", v.name as venture, s.saga_type as type, s.status,
      s.current_step as "currentStep", s.steps, s.retry_count as "retryCount", s.pause_reason as "pauseReason",
      s.last_error as "lastError", s.wait_until as "waitUntil", s.started_at as "startedAt",
      s.completed_at as "completedAt", s.timeout_at as "timeoutAt"
    from eva.eva_sagas s join eva.ventures v on v.id = s.venture_id
    where (${filter.id ?? null}::uuid is null or s.id = ${filter.id ?? null}::uuid)
      and (${filter.status ?? null}::text is null or s.status::text = ${filter.status ?? null})
      and (${filter.type ?? null}::text is null or s.saga_type::text = ${filter.type ?? null})
      and (${filter.ventureId ?? null}::uuid is null or s.venture_id = ${filter.ventureId ?? null}::uuid)
    order by s.started_at desc, s.id`.execute(db);
  return rows;
}

export async function sagaSteps(db: Database, sagaId: string): Promise<SagaStepRow[]> {
  const { rows } = await sql<SagaStepRow & { position: number | null }>`
    select st.step, st.status, st.attempts, st.result, st.error, st.completed_at as "completedAt",
      array_position(s.steps, st.step) as position
    from eva.eva_saga_steps st join eva.eva_sagas s on s.id = st.saga_id
    where st.saga_id = ${sagaId}::uuid
    order by array_position(s.steps, st.step) nulls last, st.id`.execute(db);
  return rows.map(({ position: _position, ...r }) => r);
}

/** One line on what a step's result says (the reason of a skip, a file's checksum, a teardown's count). */
export function resultSummary(step: SagaStepRow): string {
  const r = step.result ?? {};
  if (step.status === "skipped" && typeof r.reason === "string") return r.reason;
  if (step.status === "failed" && step.error) return step.error;
  if (typeof r.sha256 === "string")
    return `${r.key ?? r.uri} sha256 ${String(r.sha256).slice(0, 12)}… ${r.bytes} bytes`;
  if (typeof r.tornDown === "number") return `${r.tornDown} torn down, ${r.notTornDown} not torn down (no provider)`;
  const text = JSON.stringify(r);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

async function oneSaga(db: Database, id: string): Promise<SagaSummary> {
  if (!UUID.test(id)) throw new UserError(`"${id}" is not a saga id (a UUID; see npx eva sagas list)`, 2);
  const [saga] = await listSagas(db, { id });
  if (!saga) throw new UserError(`no saga ${id} [EV404] (see npx eva sagas list)`, 1);
  return saga;
}

export function registerSagas(program: Command): void {
  const sagas = program
    .command("sagas")
    .description(summaryOf("sagas"))
    .addHelpText(
      "after",
      `
Three sagas run on one engine (state in eva.eva_sagas, each step in eva.eva_saga_steps):
  sd_execution        bridge_create, await_completion, collect_results, update_stage, advance
  reality_gate_retry  identify_failure, map_stages, retry_analysis, re_evaluate, decide, exhaust
  venture_retirement  notify_users, export_data, teardown_infra, archive_code, retrospective
A paused saga (a failed teardown, an open circuit) waits for "eva sagas resume".

Examples:
  eva sagas list --status paused
  eva sagas list --type venture_retirement --venture LedgerLoop --json
  eva sagas show 6f1c0d2e-8a55-4a31-9a57-0d5f8f0b8a11
  eva sagas resume 6f1c0d2e-8a55-4a31-9a57-0d5f8f0b8a11`,
    );

  sagas
    .command("list")
    .description("list sagas, newest first")
    .addOption(new Option("--status <status>", "only sagas with this status").choices(STATUSES))
    .addOption(new Option("--type <type>", "only sagas of this type").choices(TYPES))
    .option("--venture <venture>", "only this venture's sagas (id or exact name)")
    .option("--json", "print as JSON")
    .action(async (options: { status?: string; type?: string; venture?: string; json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const rows = await withRole(connection.db, "eva_viewer", async (trx) => {
          const ventureId = options.venture
            ? (await namedVenture(trx, options.venture, { what: "--venture" })).id
            : undefined;
          return listSagas(trx, {
            ...(options.status ? { status: options.status } : {}),
            ...(options.type ? { type: options.type } : {}),
            ...(ventureId ? { ventureId } : {}),
          });
        });
        if (options.json) return printJson(rows);
        if (rows.length === 0) {
          process.stdout.write("no sagas match\n");
          return;
        }
        printTable(
          rows.map((r) => ({
            ...r,
            step: `${r.currentStep}${r.steps.length ? ` (${r.steps.indexOf(r.currentStep) + 1}/${r.steps.length})` : ""}`,
            note: r.pauseReason ?? (r.waitUntil ? `waits until ${r.waitUntil.toISOString()}` : (r.lastError ?? "")),
          })),
          [
            ["id", "ID"],
            ["venture", "VENTURE"],
            ["type", "TYPE"],
            ["status", "STATUS"],
            ["step", "STEP"],
            ["note", "NOTE"],
          ],
        );
      });
    });

  sagas
    .command("show <id>")
    .description("a saga's state and its steps: status, attempts, result summary, pause reason")
    .option("--json", "print as JSON")
    .action(async (id: string, options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const { saga, steps } = await withRole(connection.db, "eva_viewer", async (trx) => {
          const saga = await oneSaga(trx, id);
          return { saga, steps: await sagaSteps(trx, id) };
        });
        if (options.json) return printJson({ ...saga, stepRecords: steps });
        printFields([
          ["saga", saga.id],
          ["type", saga.type],
          ["venture", `${saga.venture} (${saga.ventureId})`],
          ["status", saga.status],
          ["current step", saga.currentStep],
          ["pause reason", saga.pauseReason ?? ""],
          ["waits until", saga.waitUntil?.toISOString() ?? ""],
          ["last error", saga.lastError ?? ""],
          ["started", saga.startedAt.toISOString()],
          ["completed", saga.completedAt?.toISOString() ?? ""],
          ["timeout", saga.timeoutAt?.toISOString() ?? ""],
        ]);
        process.stdout.write("\n");
        const recorded = new Map(steps.map((s) => [s.step, s]));
        const names = [...saga.steps, ...steps.map((s) => s.step).filter((s) => !saga.steps.includes(s))];
        printTable(
          names.map((name) => {
            const s = recorded.get(name);
            return {
              step: name,
              status:
                s?.status ??
                (name === saga.currentStep && ["active", "paused"].includes(saga.status) ? saga.status : "-"),
              attempts: s ? String(s.attempts) : "",
              result: s ? resultSummary(s) : "",
            };
          }),
          [
            ["step", "STEP"],
            ["status", "STATUS"],
            ["attempts", "ATTEMPTS"],
            ["result", "RESULT"],
          ],
        );
      });
    });

  sagas
    .command("resume <id>")
    .description("continue a paused saga at the step it paused on (the Chairman)")
    .option("--json", "print the saga as JSON")
    .action(async (id: string, options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        if (!UUID.test(id)) throw new UserError(`"${id}" is not a saga id (a UUID; see npx eva sagas list)`, 2);
        const saga = await withRole(connection.db, "eva_chairman", async (trx) => {
          await sql`select id from eva.fn_saga_resume(${id}::uuid)`.execute(trx);
          return oneSaga(trx, id);
        });
        if (options.json) return printJson(saga);
        printFields([
          ["resumed", saga.id],
          ["type", saga.type],
          ["step", saga.currentStep],
          ["next", `a worker runs the step (npx eva worker); follow it with npx eva sagas show ${saga.id}`],
        ]);
      });
    });

  sagas
    .command("cancel <id>")
    .description("stop a saga that has not ended; its completed steps stay done (the Chairman)")
    .option("--reason <text>", "why, kept in the saga's context")
    .option("--json", "print the saga as JSON")
    .action(async (id: string, options: { reason?: string; json?: boolean }) => {
      await withSession(async ({ connection }) => {
        if (!UUID.test(id)) throw new UserError(`"${id}" is not a saga id (a UUID; see npx eva sagas list)`, 2);
        const saga = await withRole(connection.db, "eva_chairman", async (trx) => {
          await sql`select id from eva.fn_saga_cancel(${id}::uuid, ${options.reason ?? null})`.execute(trx);
          return oneSaga(trx, id);
        });
        if (options.json) return printJson(saga);
        printFields([
          ["cancelled", saga.id],
          ["type", saga.type],
          ["at step", saga.currentStep],
        ]);
      });
    });
}
