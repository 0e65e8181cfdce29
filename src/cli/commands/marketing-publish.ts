// eva marketing publish | dispatches | dispatch | budgets | reddit: publishing
// (spec §17.1). `publish` dispatches a variant now through the same
// idempotent path as the schedule (repeating it never posts twice); the
// dispatches and their attempts are read as the Chairman; budgets are the
// governors' caps, set by the Chairman (marketing.fn_set_channel_budget).
import type { Command } from "commander";
import { sql } from "kysely";
import { connect, type Database, withRole } from "../../db/client.ts";
import { publishNow } from "../../marketing/dispatch.ts";
import { DRY_RUN_LABEL, hasCredentials, isPlatform, PLATFORMS } from "../../marketing/publishers/index.ts";
import { withSession } from "../database.ts";
import { printFields, printJson, printTable, progress, UserError } from "../output.ts";
import { namedVenture } from "../venture-ref.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function platformArg(value: string | undefined): (typeof PLATFORMS)[number] | undefined {
  if (value === undefined) return undefined;
  const p = value.toLowerCase();
  if (!isPlatform(p)) throw new UserError(`unknown platform "${value}" (one of ${PLATFORMS.join(", ")}) [EV400]`);
  return p;
}

const money = (cents: number | string | null) => `$${(Number(cents ?? 0) / 100).toFixed(2)}`;

async function listDispatches(db: Database, ventureId: string | null) {
  let q = db
    .selectFrom("marketing.marketing_dispatches as d")
    .innerJoin("ventures as v", "v.id", "d.venture_id")
    .select([
      "d.id",
      "v.name as venture",
      "d.platform",
      "d.status",
      "d.mode",
      "d.due_at as dueAt",
      "d.attempts",
      "d.error_class as errorClass",
      "d.last_error as lastError",
      "d.refusal_reason as refusalReason",
      "d.platform_post_id as platformPostId",
      "d.platform_post_url as url",
      "d.variant_id as variantId",
      "d.content_id as contentId",
      "d.idempotency_key as idempotencyKey",
      "d.posted_at as postedAt",
    ])
    .orderBy("d.created_at", "desc")
    .limit(200);
  if (ventureId) q = q.where("d.venture_id", "=", ventureId);
  return q.execute();
}

async function attemptsOf(db: Database, dispatchId: string) {
  return db
    .selectFrom("marketing.marketing_dispatch_attempts")
    .select([
      "attempt",
      "action",
      "mode",
      "outcome",
      "error_class as errorClass",
      "error",
      "http_status as httpStatus",
      "rate_limit as rateLimit",
      "started_at as startedAt",
      "finished_at as finishedAt",
      "contract_id as contractId",
      "worker",
    ])
    .where("dispatch_id", "=", dispatchId)
    .orderBy("attempt")
    .execute();
}

async function listBudgets(db: Database, ventureId: string | null) {
  let q = db
    .selectFrom("marketing.marketing_channel_budgets as b")
    .innerJoin("ventures as v", "v.id", "b.venture_id")
    .select([
      "v.name as venture",
      "b.venture_id as ventureId",
      "b.platform",
      "b.monthly_budget_cents as monthlyBudgetCents",
      "b.current_month_spend_cents as monthSpendCents",
      "b.daily_stop_loss_multiplier as stopLossMultiplier",
      "b.alert_ratio as alertRatio",
      "b.status",
      "b.source",
      "b.spend_month as month",
    ])
    .orderBy("v.name")
    .orderBy("b.platform");
  if (ventureId) q = q.where("b.venture_id", "=", ventureId);
  return q.execute();
}

function statusLine(status: string | null, mode: string | undefined): string {
  if (status === "dry_run") return `dry_run — ${DRY_RUN_LABEL}`;
  return `${status ?? "gone"}${mode ? ` (${mode})` : ""}`;
}

export function registerMarketingPublish(marketing: Command): void {
  marketing
    .command("publish <variant>")
    .description(
      "dispatch a variant now, through the same idempotent path as the schedule: repeating it never posts twice",
    )
    .option("--platform <name>", `the platform (default: the variant's own): ${PLATFORMS.join(", ")}`)
    .option("--json", "print { dispatchId, action, status, mode, platformPostId, url, reason }")
    .addHelpText(
      "after",
      `
A platform without credentials in the environment gets the dry-run publisher:
the dispatch records what would have been posted, with status dry_run. Live
posts wait until Stage 23 (launch) turns full distribution on; budgets, rate
limits and Reddit's switch can refuse or defer the dispatch, with the reason.

Examples:
  npx eva marketing content list --json
  npx eva marketing publish <variant-id> --platform bluesky
  npx eva marketing publish <variant-id> --platform mastodon --json`,
    )
    .action(async (variant: string, options: { platform?: string; json?: boolean }) => {
      if (!UUID.test(variant)) throw new UserError(`a variant is given by its id (a UUID), not "${variant}" [EV400]`);
      await withSession(async ({ connection, location }) => {
        const row = await withRole(connection.db, "eva_chairman", (trx) =>
          trx
            .selectFrom("marketing.marketing_content_variants")
            .select(["id", "platform"])
            .where("id", "=", variant)
            .executeTakeFirst(),
        );
        if (!row)
          throw new UserError(`no marketing variant ${variant} (see npx eva marketing content show <id>) [EV404]`);
        const platform = platformArg(options.platform) ?? platformArg(row.platform);
        if (!platform) throw new UserError(`variant ${variant} is for ${row.platform}: give --platform [EV400]`);
        if (!options.json) {
          progress(
            `${platform}: ${hasCredentials(platform) ? "live (credentials in the environment)" : "dry run (no credentials)"}`,
          );
        }
        // The attempt runs as a worker runs it: as eva_service.
        const service = connect(location.url, {
          max: 2,
          applicationName: "eva-marketing-publish",
          role: "eva_service",
        });
        try {
          const result = await publishNow(service.db, variant, platform);
          if (options.json) return printJson(result);
          printFields(
            [
              ["dispatch", result.dispatchId],
              ["platform", platform],
              ["status", statusLine(result.status, result.mode)],
              ["post", result.platformPostId ?? ""],
              ["url", result.url ?? ""],
              ["reason", result.reason ?? ""],
            ].filter(([, value]) => value !== "") as [string, string][],
          );
        } finally {
          await service.close();
        }
      });
    });

  marketing
    .command("dispatches [venture]")
    .description(
      "the publishing outbox: every dispatch (variant × platform) with its status, attempts and error, newest first",
    )
    .option(
      "--json",
      "print [{ id, venture, platform, status, mode, dueAt, attempts, errorClass, lastError, refusalReason, platformPostId, url, … }]",
    )
    .action(async (ref: string | undefined, options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const rows = await withRole(connection.db, "eva_chairman", async (trx) => {
          const venture = ref ? await namedVenture(trx, ref) : null;
          return listDispatches(trx, venture?.id ?? null);
        });
        if (options.json) return printJson(rows);
        if (rows.length === 0) return void process.stdout.write("no dispatches yet\n");
        printTable(
          rows.map((r) => ({
            ...r,
            dueAt: new Date(r.dueAt).toISOString(),
            status: r.status === "dry_run" ? "dry_run (not posted)" : r.status,
            detail: (r.refusalReason ?? r.lastError ?? r.url ?? "").replace(/\s+/g, " ").slice(0, 80),
          })),
          [
            ["id", "DISPATCH"],
            ["venture", "VENTURE"],
            ["platform", "PLATFORM"],
            ["status", "STATUS"],
            ["dueAt", "DUE AT"],
            ["attempts", "ATTEMPTS"],
            ["detail", "URL / REASON"],
          ],
        );
      });
    });

  marketing
    .command("dispatch <id>")
    .description("one dispatch with every attempt (action, outcome, error class, HTTP status, rate-limit headers)")
    .option("--json", "print { dispatch, attempts }")
    .action(async (id: string, options: { json?: boolean }) => {
      if (!UUID.test(id)) throw new UserError(`a dispatch is given by its id (a UUID), not "${id}" [EV400]`);
      await withSession(async ({ connection }) => {
        const found = await withRole(connection.db, "eva_chairman", async (trx) => {
          const d = await trx
            .selectFrom("marketing.marketing_dispatches")
            .selectAll()
            .where("id", "=", id)
            .executeTakeFirst();
          return d ? { dispatch: d, attempts: await attemptsOf(trx, id) } : null;
        });
        if (!found) throw new UserError(`no dispatch ${id} (see npx eva marketing dispatches) [EV404]`);
        if (options.json) return printJson(found);
        const d = found.dispatch;
        printFields(
          [
            ["dispatch", d.id],
            ["platform", d.platform],
            ["status", statusLine(d.status, d.mode ?? undefined)],
            ["due at", new Date(d.due_at).toISOString()],
            ["idempotency key", d.idempotency_key],
            ["post", d.platform_post_id ?? ""],
            ["url", d.platform_post_url ?? ""],
            ["error", d.last_error ? `${d.error_class ?? ""} ${d.last_error}` : ""],
            ["refused", d.refusal_reason ?? ""],
            ["text", d.post_text],
          ].filter(([, value]) => value !== "") as [string, string][],
        );
        if (found.attempts.length) {
          process.stdout.write("\nattempts:\n");
          printTable(
            found.attempts.map((a) => ({
              ...a,
              outcome: a.outcome ?? "(open)",
              error:
                `${a.errorClass ?? ""} ${a.httpStatus ?? ""} ${(a.error ?? "").replace(/\s+/g, " ").slice(0, 60)}`.trim(),
            })),
            [
              ["attempt", "#"],
              ["action", "ACTION"],
              ["mode", "MODE"],
              ["outcome", "OUTCOME"],
              ["error", "ERROR"],
            ],
          );
        }
      });
    });

  const budgets = marketing
    .command("budgets [venture]")
    .description("budget governors per venture × platform: monthly cap, this month's spend, daily stop-loss, status")
    .option(
      "--json",
      "print [{ venture, platform, monthlyBudgetCents, monthSpendCents, stopLossMultiplier, alertRatio, status, source }]",
    )
    .addHelpText(
      "after",
      `
A dispatch that would pass its monthly cap, or push today's spend past the
stop-loss multiplier × the 7-day daily average, is refused with the reason; at
80 % of the cap the Chairman is notified. X has a $50/month budget per venture
unless one is set. Spend is what each call costs by marketing.marketing_platform_costs.

Examples:
  npx eva marketing budgets
  npx eva marketing budgets set LedgerLoop x 25
  npx eva marketing budgets set LedgerLoop x 25 --stop-loss 3
  npx eva marketing budgets set LedgerLoop x 25 --pause`,
    )
    .action(async (ref: string | undefined, options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const rows = await withRole(connection.db, "eva_chairman", async (trx) => {
          const venture = ref ? await namedVenture(trx, ref) : null;
          return listBudgets(trx, venture?.id ?? null);
        });
        if (options.json) return printJson(rows);
        if (rows.length === 0)
          return void process.stdout.write("no budgets set (X gets $50/month per venture by default)\n");
        printTable(
          rows.map((r) => ({
            ...r,
            cap: money(r.monthlyBudgetCents),
            spent: `${money(r.monthSpendCents)} (${Number(r.monthlyBudgetCents) ? Math.round((100 * Number(r.monthSpendCents)) / Number(r.monthlyBudgetCents)) : 0}%)`,
            stopLoss: `${r.stopLossMultiplier}× avg`,
          })),
          [
            ["venture", "VENTURE"],
            ["platform", "PLATFORM"],
            ["cap", "MONTHLY CAP"],
            ["spent", "SPENT THIS MONTH"],
            ["stopLoss", "DAILY STOP-LOSS"],
            ["status", "STATUS"],
            ["source", "SET BY"],
          ],
        );
      });
    });

  budgets
    .command("set <venture> <platform> <dollars>")
    .description("the Chairman sets a venture's monthly cap on a platform (in dollars)")
    .option("--stop-loss <multiplier>", "daily stop-loss: today's spend may reach this × the 7-day daily average", "2")
    .option("--pause", "refuse every dispatch on this platform until resumed")
    .option("--resume", "active again")
    .option("--json", "print the budget row")
    .action(
      async (
        ref: string,
        platformName: string,
        dollars: string,
        options: { stopLoss: string; pause?: boolean; resume?: boolean; json?: boolean },
      ) => {
        const platform = platformArg(platformName) as string;
        const amount = Number(dollars);
        if (!Number.isFinite(amount) || amount < 0)
          throw new UserError(`a budget is dollars, 0 or more, not "${dollars}" [EV400]`);
        const multiplier = Number(options.stopLoss);
        if (!Number.isFinite(multiplier) || multiplier <= 0)
          throw new UserError("--stop-loss must be a number above 0 [EV400]");
        await withSession(async ({ connection }) => {
          const row = await withRole(connection.db, "eva_chairman", async (trx) => {
            const venture = await namedVenture(trx, ref);
            const { rows } = await sql<Record<string, unknown>>`
              select * from marketing.fn_set_channel_budget(${venture.id}::uuid, ${platform}, ${Math.round(amount * 100)}::bigint,
                ${multiplier}::numeric, ${options.pause ? "paused" : "active"})`.execute(trx);
            return { ...(rows[0] ?? {}), venture: venture.name } as Record<string, unknown> & { venture: string };
          });
          if (options.json) return printJson(row);
          process.stdout.write(
            `${row.venture} ${platform}: ${money(row.monthly_budget_cents as string)} a month, stop-loss ${multiplier}× the daily average, ${row.status}\n`,
          );
        });
      },
    );

  const reddit = marketing
    .command("reddit")
    .description("Reddit is off by default: the Chairman enables it per venture");
  for (const [name, enabled] of [
    ["enable", true],
    ["disable", false],
  ] as const) {
    reddit
      .command(`${name} <venture>`)
      .description(`${name} Reddit posting for a venture`)
      .action(async (ref: string) => {
        await withSession(async ({ connection }) => {
          const venture = await withRole(connection.db, "eva_chairman", async (trx) => {
            const v = await namedVenture(trx, ref);
            await sql`select marketing.fn_set_reddit_enabled(${v.id}::uuid, ${enabled})`.execute(trx);
            return v;
          });
          process.stdout.write(`Reddit ${enabled ? "enabled" : "disabled"} for ${venture.name}\n`);
        });
      });
  }
}
