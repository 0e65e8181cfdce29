// eva marketing rollups <venture> [--from --to] [--refresh] [--json]: a
// venture's daily marketing rollups (marketing.marketing_daily_rollups: per UTC
// day, platform, content and variant; bots left out), read as the Chairman.
// --refresh first runs what rollup:materialize runs (the queued counts in).
import type { Command } from "commander";
import { sql } from "kysely";
import { withRole } from "../../db/client.ts";
import { materializeRollups } from "../../tasks/marketing.ts";
import { withSession } from "../database.ts";
import { printJson, printTable, progress, UserError } from "../output.ts";
import { namedVenture } from "../venture-ref.ts";

const dateOption = (flag: string) => (value: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))
    throw new UserError(`${flag} must be a date (YYYY-MM-DD, UTC), not "${value}"`, 2);
  return value;
};

export interface RollupRow {
  date: string;
  platform: string;
  contentId: string | null;
  variantId: string | null;
  impressions: number;
  engagements: number;
  clicks: number;
  conversions: number;
  revenueCents: number;
  opens: number;
  deliveries: number;
  unsubscribes: number;
  bounces: number;
  complaints: number;
  botEvents: number;
  engagementRate: number;
  ctr: number;
  conversionRate: number;
}

export function registerMarketingRollups(marketing: Command): void {
  marketing
    .command("rollups <venture>")
    .description("a venture's daily marketing rollups (UTC days × platform × content × variant), bots left out")
    .option("--from <date>", "first UTC day (YYYY-MM-DD; default 6 days before --to)", dateOption("--from"))
    .option("--to <date>", "last UTC day (YYYY-MM-DD; default today)", dateOption("--to"))
    .option("--refresh", "first add the events not yet rolled up (what rollup:materialize does daily at 06:30 UTC)")
    .option("--json", "print the rows as JSON")
    .addHelpText(
      "after",
      `
Rates: ctr = clicks / impressions, engagement rate = engagements / impressions,
conversion rate = conversions / clicks (0 when the denominator is 0). The daily
totals also feed the venture's metrics (source marketing_rollup), which Stage 24 reads.

Examples:
  eva marketing rollups LedgerLoop
  eva marketing rollups LedgerLoop --from 2026-11-01 --to 2026-11-30 --json`,
    )
    .action(async (ref: string, options: { from?: string; to?: string; refresh?: boolean; json?: boolean }) => {
      const to = options.to ?? new Date().toISOString().slice(0, 10);
      const from = options.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
      if (from > to) throw new UserError(`--from ${from} is after --to ${to}`, 2);
      await withSession(async ({ connection }) => {
        if (options.refresh) {
          const done = await withRole(connection.db, "eva_service", (trx) => materializeRollups(trx));
          progress(`rolled up ${done.deltas} queued counts into ${done.rows} rows`);
        }
        const rows = await withRole(connection.db, "eva_chairman", async (trx) => {
          const venture = await namedVenture(trx, ref);
          const { rows } = await sql<RollupRow>`
            select rollup_date::text as date, platform, content_id as "contentId", variant_id as "variantId",
              impressions::float8 as impressions, engagements::float8 as engagements, clicks::float8 as clicks,
              conversions::float8 as conversions, revenue_cents::float8 as "revenueCents", opens::float8 as opens,
              deliveries::float8 as deliveries, unsubscribes::float8 as unsubscribes, bounces::float8 as bounces,
              complaints::float8 as complaints, bot_events::float8 as "botEvents",
              round(engagement_rate, 6)::float8 as "engagementRate", round(ctr, 6)::float8 as ctr,
              round(conversion_rate, 6)::float8 as "conversionRate"
            from marketing.marketing_daily_rollups
            where venture_id = ${venture.id}::uuid and rollup_date between ${from}::date and ${to}::date
            order by rollup_date, platform, content_id nulls first, variant_id nulls first`.execute(trx);
          return rows;
        });
        if (options.json) return printJson(rows);
        if (!rows.length) {
          progress(`no rollups between ${from} and ${to}`);
          return;
        }
        const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
        printTable(
          rows.map((r) => ({
            ...r,
            variant: r.variantId ? r.variantId.slice(0, 8) : "",
            ctrPct: pct(r.ctr),
            conversionPct: pct(r.conversionRate),
            revenue: (r.revenueCents / 100).toFixed(2),
          })),
          [
            ["date", "DAY"],
            ["platform", "PLATFORM"],
            ["variant", "VARIANT"],
            ["impressions", "IMPRESSIONS"],
            ["engagements", "ENGAGEMENTS"],
            ["clicks", "CLICKS"],
            ["conversions", "CONVERSIONS"],
            ["revenue", "REVENUE"],
            ["ctrPct", "CTR"],
            ["conversionPct", "CONV RATE"],
            ["botEvents", "BOTS"],
          ],
        );
      });
    });
}
