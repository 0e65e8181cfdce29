// eva marketing: the marketing engine. `content` lists, shows and requests
// content items (generated and brand-reviewed through the content lifecycle,
// spec §17.10); the publishing and measurement commands register here too.
import type { Command } from "commander";
import { sql } from "kysely";
import { connect, withRole } from "../../db/client.ts";
import { createDatabaseCache } from "../../llm/cache.ts";
import { createAnalyst, describeAnalyst } from "../../llm/factory.ts";
import { type ContentStepOutcome, runContentToSchedule } from "../../marketing/content-pipeline.ts";
import { type ContentDetail, listContent, showContent } from "../../marketing/content-read.ts";
import { ventureByRef } from "../../portfolio/ventures.ts";
import { withSession } from "../database.ts";
import { printFields, printJson, printTable, progress, UserError } from "../output.ts";
import { summaryOf } from "./index.ts";
import { registerMarketingBandits } from "./marketing-bandits.ts";
import { registerMarketingEmail } from "./marketing-email.ts";
import { registerMarketingMedia } from "./marketing-media.ts";
import { registerMarketingPublish } from "./marketing-publish.ts";
import { registerMarketingRollups } from "./marketing-rollups.ts";

const unknownVenture = (ref: string) =>
  new UserError(`no venture "${ref}" (give its id or exact name; see npx eva ventures list) [EV404]`);

function describeStep(step: ContentStepOutcome): string {
  switch (step.outcome) {
    case "reviewing":
      return `generation ${step.generation}: ${step.variants} variants written → REVIEW`;
    case "regenerate":
      return `review of generation ${step.generation} failed → GENERATE with feedback:\n${step.feedback.map((f) => `    - ${f}`).join("\n")}`;
    case "scheduled":
      return `review of generation ${step.generation} passed → SCHEDULE`;
    case "blocked":
      return `blocked: ${step.reason}`;
    case "deferred":
      return `deferred: ${step.reason}`;
    default:
      return step.detail;
  }
}

function printDetail(c: ContentDetail): void {
  printFields([
    ["content", c.id],
    ["venture", c.venture],
    ["state", `${c.state}${c.status === "blocked" ? ` (blocked: ${c.blockedReason})` : ""}`],
    ["cycle", c.cycle],
    ["generation", c.generation],
    ["origin", c.origin],
    ["type", `${c.contentType} (${c.channelFamily})`],
    ["concept tags", c.conceptTags.join(", ")],
    ["angle", c.angle ?? ""],
    ["epistemic", c.epistemic ?? "(not generated yet)"],
    [
      "review",
      c.review
        ? `${c.review.passed ? "passed" : "failed"} (${c.review.epistemic})${c.review.feedback.length ? `: ${c.review.feedback.join("; ")}` : ""}`
        : "(none yet)",
    ],
  ]);
  if (c.variantList.length) {
    process.stdout.write("\nvariants:\n");
    for (const v of c.variantList) {
      process.stdout.write(`\n  ${v.platform} ${v.variantKey}  ${v.id}\n`);
      process.stdout.write(`${v.assetText.replace(/^/gm, "    ")}\n`);
      process.stdout.write(`    [visual] ${v.visualBrief}\n`);
    }
  }
  if (c.history.length) {
    process.stdout.write("\nlifecycle:\n");
    printTable(
      c.history.map((h) => ({
        at: h.at.replace("T", " ").slice(0, 19),
        move: `${h.from} → ${h.to}`,
        cycle: h.cycle,
        actor: h.actor,
        detail: Array.isArray(h.detail.feedback) ? `feedback: ${(h.detail.feedback as string[]).join("; ")}` : "",
      })),
      [
        ["at", "  AT"],
        ["move", "MOVE"],
        ["cycle", "CYCLE"],
        ["actor", "ACTOR"],
        ["detail", "DETAIL"],
      ],
    );
  }
}

export function registerMarketing(program: Command): void {
  const marketing = program
    .command("marketing")
    .description(summaryOf("marketing"))
    .addHelpText(
      "after",
      `
Content moves through the lifecycle IDEATE → GENERATE → REVIEW → SCHEDULE →
DISPATCH → MEASURE → OPTIMIZE: a worker writes variants per platform from the
venture's brand (Stage 10), GTM plan (Stage 11) and funnel (Stage 12), a brand
review checks them (limits, claims, voice) and passes them to SCHEDULE or
sends them back to GENERATE with its feedback. Stage 22 starts a venture's
pre-launch content by itself; Stage 23 turns full distribution on.

Examples:
  npx eva marketing content list
  npx eva marketing content generate LedgerLoop --wait`,
    );

  const content = marketing
    .command("content")
    .description("marketing content items: list, show one with its variants and history, request one");

  content
    .command("list [venture]")
    .description("content items, newest first (every venture's, or one venture's)")
    .option("--json", "print [{ id, venture, state, status, cycle, generation, variants, platforms, … }]")
    .action(async (ref: string | undefined, options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const rows = await withRole(connection.db, "eva_chairman", async (trx) => {
          if (ref === undefined) return listContent(trx);
          const venture = await ventureByRef(trx, ref);
          if (!venture) throw unknownVenture(ref);
          return listContent(trx, venture.id);
        });
        if (options.json) return printJson(rows);
        if (rows.length === 0) {
          process.stdout.write(
            `no marketing content${ref ? ` for ${ref}` : ""} yet (npx eva marketing content generate <venture>)\n`,
          );
          return;
        }
        printTable(
          rows.map((r) => ({
            ...r,
            state: r.status === "blocked" ? `${r.state} (blocked)` : r.state,
            platforms: r.platforms.join(","),
            epistemic: r.epistemic ?? "",
          })),
          [
            ["id", "ID"],
            ["venture", "VENTURE"],
            ["state", "STATE"],
            ["cycle", "CYCLE"],
            ["generation", "GEN"],
            ["variants", "VARIANTS"],
            ["platforms", "PLATFORMS"],
            ["origin", "ORIGIN"],
            ["epistemic", "EPISTEMIC"],
          ],
        );
      });
    });

  content
    .command("show <id>")
    .description("one content item: its live variants (with their ids), the review's outcome and the lifecycle history")
    .option(
      "--json",
      "print { id, state, …, variantList: [{ id, platform, variantKey, assetText, … }], review, history }",
    )
    .action(async (id: string, options: { json?: boolean }) => {
      await withSession(async ({ connection }) => {
        const detail = await withRole(connection.db, "eva_chairman", (trx) => showContent(trx, id));
        if (!detail) throw new UserError(`no marketing content "${id}" (see npx eva marketing content list) [EV404]`);
        if (options.json) return printJson(detail);
        printDetail(detail);
      });
    });

  content
    .command("generate <venture>")
    .description("request a content item for a venture (queued for a worker; --wait generates and reviews it now)")
    .option("--wait", "generate and review it in this process, printing each step, until it is scheduled or blocked")
    .option("--tags <tags>", "concept tags, comma-separated (lowercase words)")
    .option("--json", "print the content item with its variants' ids")
    .addHelpText(
      "after",
      `
Without --wait the request is queued: a worker (npx eva worker, or npm start)
generates and reviews it. The analyst is the OpenAI-compatible server of
OPENAI_API_KEY / OPENAI_BASE_URL / EVA_LLM_MODEL, else the offline analyst,
whose content is labelled simulation. Tokens are charged to the venture.

Examples:
  npx eva marketing content generate LedgerLoop
  npx eva marketing content generate LedgerLoop --wait --json`,
    )
    .action(async (ref: string, options: { wait?: boolean; tags?: string; json?: boolean }) => {
      const tags = options.tags
        ? options.tags
            .split(",")
            .map((t) => t.trim())
            .filter(Boolean)
        : [];
      await withSession(async ({ connection, location }) => {
        const created = await withRole(connection.db, "eva_chairman", async (trx) => {
          const venture = await ventureByRef(trx, ref);
          if (!venture) throw unknownVenture(ref);
          const { rows } = await sql<{ id: string }>`
            select id from marketing.fn_request_content_generation(${venture.id}::uuid, ${tags}::text[])`.execute(trx);
          return { id: String(rows[0]?.id), venture: venture.name };
        });
        progress(`requested content ${created.id} for ${created.venture} (IDEATE)`);
        if (options.wait) {
          // The steps run as a worker runs them: as eva_service.
          const service = connect(location.url, { max: 2, applicationName: "eva-marketing", role: "eva_service" });
          try {
            const analyst = createAnalyst(process.env, { cache: createDatabaseCache(service.db) });
            progress(`generating with the ${describeAnalyst(analyst)}`);
            await runContentToSchedule(service.db, analyst, created.id, {
              onStep: (step) => progress(`  ${describeStep(step)}`),
            });
          } finally {
            await service.close();
          }
        } else {
          progress("queued: a worker (npx eva worker, or npm start) generates and reviews it");
        }
        const detail = await withRole(connection.db, "eva_chairman", (trx) => showContent(trx, created.id));
        if (!detail) throw new UserError(`content ${created.id} vanished`);
        if (options.json) return printJson(detail);
        printDetail(detail);
      });
    });
  registerMarketingPublish(marketing);
  registerMarketingRollups(marketing);
  registerMarketingEmail(marketing);
  registerMarketingBandits(marketing);
  registerMarketingMedia(marketing);
}
