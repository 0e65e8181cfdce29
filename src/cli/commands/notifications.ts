// eva notifications [--unread] [--json] | read <id>|--all: the Chairman's
// inbox (eva.notifications, the outbox of spec §11's notification strategy).
import type { Command } from "commander";
import { withRole } from "../../db/client.ts";
import { listNotifications, markAllNotificationsRead, markNotificationRead } from "../../notifications/outbox.ts";
import { withSession } from "../database.ts";
import { printJson, printTable, UserError } from "../output.ts";
import { summaryOf } from "./index.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function registerNotifications(program: Command): void {
  const notifications = program
    .command("notifications")
    .description(summaryOf("notifications"))
    .addHelpText(
      "after",
      `
Urgency (Decision #30): blocking decisions (Stages 0, 10, 22, 25) and DFE
escalations are immediate (inbox + webhook at once); reality-gate failures,
automatic kills and advisory checkpoints (Stages 3, 5, 16, 23) wait for the
daily digest; routine stage completions for the weekly summary.

Examples:
  eva notifications --unread
  eva notifications --json
  eva notifications read <id>
  eva notifications read --all`,
    );

  notifications
    .command("list", { isDefault: true })
    .description("list the inbox, newest first (the default: eva notifications [--unread] [--json])")
    .option("--unread", "only notifications not yet read")
    .option("--json", "print as JSON")
    .action(async (options: { unread?: boolean; json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const rows = await withRole(connection.db, "eva_chairman", (trx) =>
          listNotifications(trx, options.unread ? { unread: true } : {}),
        );
        if (options.json) return printJson(rows);
        if (rows.length === 0) {
          process.stdout.write(options.unread ? "no unread notifications\n" : "no notifications yet\n");
          return;
        }
        printTable(
          rows.map((r) => ({ ...r, state: r.read ? "read" : "unread" })),
          [
            ["id", "ID"],
            ["createdAt", "AT"],
            ["urgency", "URGENCY"],
            ["type", "TYPE"],
            ["state", "STATE"],
            ["summary", "SUMMARY"],
          ],
        );
      });
    });

  notifications
    .command("read [id]")
    .description("mark a notification read (or every unread one with --all)")
    .option("--all", "mark every unread notification read")
    .option("--unread", "mark the notification unread again")
    .option("--json", "print the result as JSON")
    .action(async (id: string | undefined, options: { all?: boolean; unread?: boolean; json?: boolean }) => {
      if (options.all && id !== undefined) throw new UserError("give a notification id or --all, not both", 2);
      if (!options.all && id === undefined) throw new UserError("give a notification id, or --all", 2);
      if (id !== undefined && !UUID.test(id))
        throw new UserError(`"${id}" is not a notification id (a uuid; see npx eva notifications)`, 2);
      if (options.all && options.unread)
        throw new UserError("--unread marks one notification; it does not go with --all", 2);
      await withSession(async ({ connection }) => {
        if (options.all) {
          const count = await withRole(connection.db, "eva_chairman", (trx) => markAllNotificationsRead(trx));
          if (options.json) return printJson({ read: count });
          process.stdout.write(`${count} notification${count === 1 ? "" : "s"} marked read\n`);
          return;
        }
        const notificationId = id as string;
        await withRole(connection.db, "eva_chairman", (trx) =>
          markNotificationRead(trx, notificationId, !options.unread),
        );
        if (options.json) return printJson({ id: notificationId, read: !options.unread });
        process.stdout.write(`notification ${notificationId} marked ${options.unread ? "unread" : "read"}\n`);
      });
    });
}
