// eva templates: venture templates (spec §10, Decision #29), extracted when a
// venture reaches Stage 25 with continue or exit, and recommended to a
// venture by domain similarity (eva.fn_recommend_templates).
import type { Command } from "commander";
import { sql } from "kysely";
import { type Database, withRole } from "../../db/client.ts";
import { withSession } from "../database.ts";
import { wholeNumber } from "../options.ts";
import { printFields, printJson, printTable, UserError } from "../output.ts";
import { namedVenture } from "../venture-ref.ts";
import { summaryOf } from "./index.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function templateList(db: Database) {
  return db
    .selectFrom("venture_templates as t")
    .innerJoin("ventures as v", "v.id", "t.source_venture_id")
    .select(["t.id", "t.domain", "t.archetype", "t.source_decision", "t.created_at", "v.name as source_venture"])
    .orderBy("t.created_at", "desc")
    .execute();
}

/** A template by its id, or by its source venture (id or name). */
async function namedTemplate(db: Database, ref: string) {
  const q = db
    .selectFrom("venture_templates as t")
    .innerJoin("ventures as v", "v.id", "t.source_venture_id")
    .selectAll("t")
    .select("v.name as source_venture");
  const byId = UUID.test(ref) ? await q.where("t.id", "=", ref).executeTakeFirst() : undefined;
  if (byId) return byId;
  const venture = await namedVenture(db, ref, { what: "template" }).catch(() => null);
  const bySource = venture ? await q.where("t.source_venture_id", "=", venture.id).executeTakeFirst() : undefined;
  if (!bySource)
    throw new UserError(
      `no template "${ref}" (give a template id or its source venture; npx eva templates list shows them)`,
    );
  return bySource;
}

export function registerTemplates(program: Command): void {
  const templates = program.command("templates").description(summaryOf("templates"));

  templates
    .command("list")
    .description("every venture template: domain, archetype, the venture it came from and its Stage 25 decision")
    .option("--json", "print as JSON")
    .action(async (options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const rows = await withRole(connection.db, "eva_chairman", (trx) => templateList(trx));
        if (options.json) return printJson(rows);
        if (!rows.length)
          return void process.stdout.write(
            "no templates yet: one is extracted when a venture's Stage 25 review is decided continue or exit\n",
          );
        printTable(rows, [
          ["id", "ID"],
          ["domain", "DOMAIN"],
          ["source_venture", "FROM"],
          ["source_decision", "DECISION"],
          ["created_at", "EXTRACTED"],
        ]);
      });
    });

  templates
    .command("show <template>")
    .description(
      "a template's thresholds, architecture, pricing, GTM channel weights and DFE thresholds (by id or source venture)",
    )
    .option("--json", "print as JSON")
    .action(async (ref: string, options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const t = await withRole(connection.db, "eva_chairman", (trx) => namedTemplate(trx, ref));
        if (options.json) return printJson(t);
        printFields([
          ["template", t.id],
          ["domain", t.domain],
          ["from", `${t.source_venture} (Stage 25 ${t.source_decision})`],
          ["scoring thresholds", t.scoring_thresholds],
          ["architecture", t.architecture_patterns],
          ["pricing", t.pricing_defaults],
          ["GTM channel weights", t.gtm_channel_weights],
          ["DFE thresholds", t.dfe_thresholds],
          ["extracted", t.created_at],
        ]);
      });
    });

  templates
    .command("recommend <venture>")
    .description(
      "templates for a venture by domain similarity (trigram similarity of domain texts, +0.1 for the same archetype)",
    )
    .option("--limit <n>", "at most this many", wholeNumber("--limit", 1, 100), 5)
    .option("--json", "print as JSON")
    .action(async (ref: string, options: { limit: number; json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const rows = await withRole(connection.db, "eva_chairman", async (trx) => {
          const venture = await namedVenture(trx, ref);
          const { rows } = await sql<{
            template_id: string;
            domain: string;
            source_venture_name: string;
            source_decision: string;
            similarity: string;
            archetype_match: boolean;
            score: string;
          }>`select * from eva.fn_recommend_templates(${venture.id}::uuid, ${options.limit})`.execute(trx);
          return rows.map((r) => ({ ...r, similarity: Number(r.similarity), score: Number(r.score) }));
        });
        if (options.json) return printJson(rows);
        if (!rows.length) return void process.stdout.write("no template is similar enough to this venture\n");
        printTable(rows, [
          ["template_id", "TEMPLATE"],
          ["domain", "DOMAIN"],
          ["source_venture_name", "FROM"],
          ["similarity", "SIMILARITY"],
          ["archetype_match", "SAME ARCHETYPE"],
          ["score", "SCORE"],
        ]);
      });
    });
}
