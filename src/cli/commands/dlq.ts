// eva dlq list [--json] [--status …] | replay <id>|--all | drop <id>: the
// dead-letter queue of event subscriptions (eva.eva_event_dlq), as the Chairman.
import type { Command } from "commander";
import { withRole } from "../../db/client.ts";
import {
  DEAD_LETTER_STATUSES,
  type DeadLetterStatus,
  dropDeadLetter,
  listDeadLetters,
  replayAllDeadLetters,
  replayDeadLetter,
} from "../../orchestration/dead-letters.ts";
import { withSession } from "../database.ts";
import { printJson, printTable, UserError } from "../output.ts";
import { summaryOf } from "./index.ts";

function deadLetterId(value: string): number {
  if (!/^\d{1,18}$/.test(value.trim()) || Number(value) < 1)
    throw new UserError(`"${value}" is not a dead letter id (a whole number; see npx eva dlq list)`, 2);
  return Number(value);
}

function age(since: Date, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - since.getTime()) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

function oneLine(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function registerDlq(program: Command): void {
  const dlq = program
    .command("dlq")
    .description(summaryOf("dlq"))
    .addHelpText(
      "after",
      `
A delivery of an event to a subscription's handler that fails every attempt
(the subscription's max_attempts) becomes a dead letter. Replay re-delivers it
once, as a new job; a delivered replay marks it replayed, a failed one leaves
it pending for another replay. Drop dismisses it (kept, marked discarded).

Examples:
  eva dlq list
  eva dlq list --status pending --json
  eva dlq replay 12
  eva dlq replay --all
  eva dlq drop 12`,
    );

  dlq
    .command("list", { isDefault: true })
    .description("list dead letters, oldest first: id, age, event type, venture, handler, attempts, last error")
    .option("--status <status>", `only one status (${DEAD_LETTER_STATUSES.join(", ")})`)
    .option("--json", "print as JSON")
    .action(async (options: { status?: string; json?: boolean }) => {
      if (options.status !== undefined && !DEAD_LETTER_STATUSES.includes(options.status as DeadLetterStatus))
        throw new UserError(`--status must be one of ${DEAD_LETTER_STATUSES.join(", ")}, not "${options.status}"`, 2);
      const status = options.status as DeadLetterStatus | undefined;
      await withSession(async ({ connection }) => {
        const rows = await withRole(connection.db, "eva_chairman", (trx) =>
          listDeadLetters(trx, status ? { status } : {}),
        );
        if (options.json) return printJson(rows);
        if (rows.length === 0) {
          process.stdout.write(status ? `no ${status} dead letters\n` : "the dead-letter queue is empty\n");
          return;
        }
        printTable(
          rows.map((r) => ({
            ...r,
            age: age(r.createdAt),
            venture: r.venture ?? "-",
            handler: `${r.handler ?? "-"}${r.subscription ? ` (${r.subscription})` : ""}`,
            state: r.replayStatus === "queued" ? `${r.status}, replay queued` : r.status,
            lastError: oneLine(r.lastError),
          })),
          [
            ["id", "ID"],
            ["age", "AGE"],
            ["state", "STATUS"],
            ["eventType", "EVENT"],
            ["venture", "VENTURE"],
            ["handler", "HANDLER"],
            ["attempts", "ATTEMPTS"],
            ["lastError", "LAST ERROR"],
          ],
        );
      });
    });

  dlq
    .command("replay [id]")
    .description("re-deliver a dead letter once (or every pending one with --all)")
    .option("--all", "replay every pending dead letter that has no replay queued")
    .option("--json", "print the result as JSON")
    .action(async (id: string | undefined, options: { all?: boolean; json?: boolean }) => {
      if (options.all && id !== undefined) throw new UserError("give a dead letter id or --all, not both", 2);
      if (!options.all && id === undefined) throw new UserError("give a dead letter id, or --all", 2);
      const one = id === undefined ? undefined : deadLetterId(id);
      await withSession(async ({ connection }) => {
        const replayed = await withRole(connection.db, "eva_chairman", async (trx) =>
          one === undefined ? replayAllDeadLetters(trx) : [await replayDeadLetter(trx, one)],
        );
        if (options.json) return printJson(replayed);
        if (replayed.length === 0) {
          process.stdout.write("no pending dead letters to replay\n");
          return;
        }
        for (const r of replayed)
          process.stdout.write(
            `dead letter ${r.id}: replay ${r.replay} queued (its result: npx eva dlq list --status pending)\n`,
          );
      });
    });

  dlq
    .command("drop <id>")
    .description("discard a dead letter (it stays, marked discarded, with who and when)")
    .option("--json", "print the result as JSON")
    .action(async (id: string, options: { json?: boolean }) => {
      const target = deadLetterId(id);
      await withSession(async ({ connection }) => {
        const dropped = await withRole(connection.db, "eva_chairman", (trx) => dropDeadLetter(trx, target));
        if (options.json) return printJson(dropped);
        process.stdout.write(`dead letter ${dropped.id} dropped\n`);
      });
    });
}
