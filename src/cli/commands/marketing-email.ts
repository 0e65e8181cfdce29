// eva marketing email …: drip campaigns (spec §17.4) — sender domains,
// campaigns from a JSON file, subscribers, suppressions. Written through the
// marketing.fn_email_* functions as the Chairman; sent by email:drip:send.
import type { Command } from "commander";
import { sql } from "kysely";
import { withRole } from "../../db/client.ts";
import { withSession } from "../database.ts";
import { parseJsonFile, readInputFile } from "../files.ts";
import { printJson, printTable, progress } from "../output.ts";
import { namedVenture } from "../venture-ref.ts";

export function registerMarketingEmail(marketing: Command): void {
  const email = marketing
    .command("email")
    .description("email drip campaigns: sender domains, campaigns, subscribers, suppressions (sent through Resend)");

  email
    .command("domain-add <venture> <domain>")
    .description("allow a venture to send from a domain (verified at Resend)")
    .action(async (ref: string, domain: string) => {
      await withSession(async ({ connection }) => {
        await withRole(connection.db, "eva_chairman", async (trx) => {
          const venture = await namedVenture(trx, ref);
          await sql`select marketing.fn_email_add_domain(${venture.id}::uuid, ${domain})`.execute(trx);
          progress(`${venture.name} may send from @${domain.trim().toLowerCase()}`);
        });
      });
    });

  const campaign = email.command("campaign").description("drip campaigns");
  campaign
    .command("create <venture> <file>")
    .description("create a campaign from a JSON file")
    .addHelpText(
      "after",
      `
The file: {"name": "Welcome", "campaignType": "welcome", "from": "hello@mail.example.com",
  "fromName": "The Team", "steps": [{"delayHours": 0, "subject": "Welcome", "text": "Hello."},
  {"delayHours": 48, "subject": "Tips", "text": "…", "html": "<p>…</p>", "condition": "opened_previous"}]}
campaignType: welcome | onboarding | nurture | reactivation; condition: always (default) |
opened_previous | not_opened_previous | clicked_previous | not_clicked_previous.`,
    )
    .option("--json", "print the campaign id as JSON")
    .action(async (ref: string, file: string, options: { json?: boolean }) => {
      const body = parseJsonFile("<file>", file, readInputFile("<file>", file));
      await withSession(async ({ connection }) => {
        const id = await withRole(connection.db, "eva_chairman", async (trx) => {
          const venture = await namedVenture(trx, ref);
          const { rows } = await sql<{ id: string }>`
            select marketing.fn_email_create_campaign(${venture.id}::uuid, ${JSON.stringify(body)}::jsonb) as id`.execute(
            trx,
          );
          return rows[0]?.id;
        });
        if (options.json) printJson({ id });
        else process.stdout.write(`${id}\n`);
      });
    });
  campaign
    .command("list <venture>")
    .description("a venture's campaigns with their steps and subscribers")
    .option("--json", "print as JSON")
    .action(async (ref: string, options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const rows = await withRole(connection.db, "eva_chairman", async (trx) => {
          const venture = await namedVenture(trx, ref);
          const { rows } = await sql<{
            id: string;
            name: string;
            type: string;
            from: string;
            status: string;
            steps: number;
            active: number;
            done: number;
            stopped: number;
          }>`
            select c.id, c.name, c.campaign_type as type, c.from_address as "from", c.status,
              (select count(*)::int from marketing.marketing_email_steps s where s.campaign_id = c.id) as steps,
              (select count(*)::int from marketing.marketing_email_state st where st.campaign_id = c.id and st.status = 'active') as active,
              (select count(*)::int from marketing.marketing_email_state st where st.campaign_id = c.id and st.status = 'completed') as done,
              (select count(*)::int from marketing.marketing_email_state st where st.campaign_id = c.id and st.status in ('suppressed', 'unsubscribed')) as stopped
            from marketing.marketing_email_campaigns c where c.venture_id = ${venture.id}::uuid order by c.created_at`.execute(
            trx,
          );
          return rows;
        });
        if (options.json) return printJson(rows);
        printTable(rows, [
          ["id", "ID"],
          ["name", "NAME"],
          ["type", "TYPE"],
          ["from", "FROM"],
          ["status", "STATUS"],
          ["steps", "STEPS"],
          ["active", "ACTIVE"],
          ["done", "COMPLETED"],
          ["stopped", "SUPPRESSED"],
        ]);
      });
    });

  email
    .command("subscribe <campaign> <emails...>")
    .description("put addresses on a campaign (its first step goes out after its delay)")
    .action(async (campaignId: string, emails: string[]) => {
      await withSession(async ({ connection }) => {
        await withRole(connection.db, "eva_chairman", async (trx) => {
          for (const address of emails)
            await sql`select marketing.fn_email_subscribe(${campaignId}::uuid, ${address})`.execute(trx);
        });
        progress(`${emails.length} subscribed`);
      });
    });

  email
    .command("suppressions <venture>")
    .description("addresses the venture never emails again (unsubscribed, bounced, complained)")
    .option("--json", "print as JSON")
    .action(async (ref: string, options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const rows = await withRole(connection.db, "eva_chairman", async (trx) => {
          const venture = await namedVenture(trx, ref);
          const { rows } = await sql<{ email: string; reason: string; since: Date }>`
            select email, reason, created_at as since from marketing.marketing_email_suppressions
            where venture_id = ${venture.id}::uuid order by created_at`.execute(trx);
          return rows;
        });
        if (options.json) return printJson(rows);
        printTable(rows, [
          ["email", "EMAIL"],
          ["reason", "REASON"],
          ["since", "SINCE"],
        ]);
      });
    });
}
