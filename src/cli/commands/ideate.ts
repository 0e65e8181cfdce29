// eva ideate — Stage 0: an idea, by one of the entry paths, becomes a
// VentureBrief through the synthesis engine and waits for the Chairman.
import { type Command, Option } from "commander";
import { connect, withRole } from "../../db/client.ts";
import { ideationBudget } from "../../ideation/budget.ts";
import { urlFetchEnabled } from "../../ideation/competitor-teardown.ts";
import { DISCOVERY_STRATEGIES } from "../../ideation/contract.ts";
import { DiscoveryInputError } from "../../ideation/discovery.ts";
import { ProfileNotFound } from "../../ideation/profiles.ts";
import {
  openStageZeroReview,
  parseStageZeroInput,
  runStageZero,
  StageZeroInputError,
} from "../../ideation/stage-zero.ts";
import { createDatabaseCache } from "../../llm/cache.ts";
import { createAnalyst, describeAnalyst } from "../../llm/factory.ts";
import { TokenBudgetExceeded } from "../../llm/types.ts";
import { archetype } from "../../stages/enums.ts";
import { fetchLimitsFromEnv } from "../../tools/fetch-url.ts";
import { createToolbox } from "../../tools/toolbox.ts";
import { withSession } from "../database.ts";
import { parseJsonFile, readInputFile } from "../files.ts";
import { collect, wholeNumber } from "../options.ts";
import { printFields, printJson, progress, UserError } from "../output.ts";
import { summaryOf } from "./index.ts";

const FLAGS: Record<string, string> = {
  name: "--name",
  description: "--description",
  problemStatement: "--problem-statement",
  solution: "--solution",
  targetMarket: "--target-market",
  archetype: "--archetype",
  urls: "--urls",
  path: "--path",
  blueprint: "--blueprint",
  set: "--set",
  strategy: "--strategy",
  candidates: "--candidates",
};

const PATHS = ["manual", "competitor_teardown", "blueprint_browse", "discovery_mode"] as const;

/** --set key=value pairs (blueprint parameters). */
function parseSets(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of values) {
    const eq = raw.indexOf("=");
    if (eq <= 0)
      throw new UserError(`no brief was made; fix these:\n  --set ${raw}: give a blueprint parameter as key=value`, 2);
    out[raw.slice(0, eq).trim()] = raw.slice(eq + 1);
  }
  return out;
}

export function registerIdeate(program: Command): void {
  program
    .command("ideate")
    .description(summaryOf("ideate"))
    .addOption(new Option("--path <path>", "entry path").choices(PATHS).default("manual"))
    .option("--urls <url>", "a competitor to tear down (repeatable; competitor_teardown path)", collect)
    .option("--name <name>", "the idea's name")
    .option("--description <text>", "what it is")
    .option("--problem-statement <text>", "the problem it solves")
    .option("--solution <text>", "how it solves it")
    .option("--target-market <text>", "who it is for")
    .addOption(new Option("--archetype <archetype>", "business archetype").choices(archetype.options))
    .option("--blueprint <id>", "the blueprint to start from (blueprint_browse path; eva blueprints list)")
    .option("--set <key=value>", "a blueprint parameter (repeatable; defaults from the blueprint)", collect)
    .addOption(
      new Option("--strategy <strategy>", "the discovery strategy (discovery_mode path)").choices(DISCOVERY_STRATEGIES),
    )
    .option(
      "--candidates <n>",
      "candidates the strategy generates (discovery_mode; default 5)",
      wholeNumber("--candidates", 1, 20),
    )
    .option("--profile <profile>", "the evaluation profile to score with (default: the active one, else legacy)")
    .option("--file <path>", "the same fields as JSON (camelCase); flags override")
    .option(
      "--portfolio <name>",
      "the portfolio whose ideation budget pays for the brief (name or id; default: the only one)",
    )
    .option("--json", "print the brief and the decision as JSON")
    .addHelpText(
      "after",
      `
Examples:
  eva ideate --path manual --name "LedgerLoop" --description "Invoice reconciliation for small accounting firms" \\
    --problem-statement "Matching invoices to payments by hand" --target-market "EU accounting firms"
  eva ideate --path competitor_teardown --urls https://competitor.example
  eva ideate --path blueprint_browse --blueprint ai-bookkeeping --set industry="Veterinary clinic"
  eva ideate --path discovery_mode --strategy trend_scanner --candidates 5

Every path's output goes through the synthesis engine: eight components
(cross-reference, portfolio evaluation, problem reframing, moat architecture,
Chairman constraints, time horizon, archetype, build cost), the financial
forecast and the venture score (computed), weighted by the evaluation profile.

Then: eva decisions approve <id> (creates the venture at Stage 1) or eva decisions decide <id> park.

competitor_teardown fetches each --urls page through the competitor_teardown
agent's tool policy (eva tools agents) when EVA_URL_FETCH=on (10 s and 2 MB
per page at most, public addresses only); otherwise (the default) it analyses
the URLs' names only and says so. With two or more URLs it adds a
gap analysis across them.

Every analysis call is charged to the portfolio's ideation budget; a call that could exceed what is left is refused.`,
    )
    .action(async (options: Record<string, unknown>) => {
      let input: Record<string, unknown> = {};
      if (typeof options.file === "string") {
        const parsed = parseJsonFile("--file", options.file, readInputFile("--file", options.file));
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
          throw new UserError(`--file ${options.file} must hold a JSON object with the fields of the flags`, 2);
        input = parsed as Record<string, unknown>;
      }
      for (const key of Object.keys(FLAGS)) {
        if (options[key] === undefined) continue;
        input[key] = key === "set" ? parseSets(options[key] as string[]) : options[key];
      }
      const parsed = parseStageZeroInput(input);
      if (!parsed.success) {
        const lines = parsed.error.issues.map((i) => {
          const field = String(i.path[0] ?? "");
          return `  ${FLAGS[field] ?? field}: ${i.message}`;
        });
        throw new UserError(`no brief was made; fix these:\n${lines.join("\n")}`, 2);
      }
      const profile = typeof options.profile === "string" ? options.profile : undefined;
      await withSession(async ({ connection, location }) => {
        const service = connect(location.url, { max: 2, applicationName: "eva-ideate", role: "eva_service" });
        try {
          const portfolio = typeof options.portfolio === "string" ? options.portfolio : undefined;
          const budget = await withRole(connection.db, "eva_service", (trx) => ideationBudget(trx, portfolio));
          const analyst = createAnalyst(process.env, { cache: createDatabaseCache(service.db) });
          progress(`synthesizing the brief (${parsed.data.path}) with the ${describeAnalyst(analyst)}`);
          let result: Awaited<ReturnType<typeof runStageZero>>;
          try {
            const teardown =
              parsed.data.path === "competitor_teardown"
                ? {
                    toolbox: createToolbox(service.db, "competitor_teardown", {
                      limits: { fetch: fetchLimitsFromEnv() },
                    }),
                    online: urlFetchEnabled(),
                  }
                : undefined;
            if (teardown)
              progress(
                teardown.online
                  ? `fetching ${parsed.data.path === "competitor_teardown" ? parsed.data.urls.length : 0} competitor page(s) through the fetch_url tool`
                  : "URL fetching is off (EVA_URL_FETCH=on turns it on): the competitors are analysed by their URLs' names only",
              );
            result = await runStageZero(service.db, analyst, parsed.data, { budget, profile, teardown });
          } catch (error) {
            if (error instanceof TokenBudgetExceeded) throw new UserError(`no brief was made: ${error.message}`, 1);
            if (
              error instanceof StageZeroInputError ||
              error instanceof DiscoveryInputError ||
              error instanceof ProfileNotFound
            )
              throw new UserError(`no brief was made: ${error.message}`, 2);
            throw error;
          }
          const { brief, epistemic } = result;
          const decisionId = await withRole(connection.db, "eva_service", (trx) =>
            openStageZeroReview(trx, result, { portfolioId: budget.portfolioId }),
          );
          const after = await withRole(connection.db, "eva_service", (trx) => ideationBudget(trx, budget.portfolioId));
          const ideation = {
            portfolio: after.portfolioName,
            usedTokens: after.consumedTokens,
            budgetTokens: after.budgetTokens,
            remainingTokens: after.remainingTokens,
          };
          const provenance = result.calls.map((c) => ({ purpose: c.purpose, ...c.provenance }));
          if (options.json)
            return printJson({
              decisionId,
              brief,
              epistemic,
              provenance,
              ideation,
              ...(result.teardown ? { teardown: result.brief.metadata.teardown } : {}),
              ...(result.discovery
                ? { discovery: { runId: result.discovery.runId, candidates: result.discovery.candidates } }
                : {}),
            });
          const s = brief.metadata.synthesis;
          printFields([
            ["brief", `${brief.name} (${brief.archetype}, ${brief.maturity})`],
            ["origin", brief.originType],
            ["problem", brief.problemStatement],
            ["solution", brief.solution],
            ["market", brief.targetMarket],
            ["venture score", `${brief.ventureScore} (computed from the forecast)`],
            [
              "weighted score",
              `${s.weighted_score ?? "indeterminate"} (profile ${s.profile.name} v${s.profile.version}, ${s.profile.source})`,
            ],
            ["archetype", `${s.archetypes.primary} (confidence ${s.archetypes.primaryConfidence})`],
            ["moat", s.moat_architecture.primaryMoat.type],
            ["constraints", s.chairman_constraints.verdict],
            ["time horizon", s.time_horizon.position],
            ["build", `${s.build_cost.complexity}, ${s.build_cost.months} months`],
            ...(result.teardown
              ? ([
                  ["teardown", result.teardown.basis],
                  ...result.teardown.competitors.map(
                    (c) =>
                      [
                        `  ${c.name}`,
                        `${c.fetched.status === "fetched" ? `fetched ${c.fetched.source} (fact)` : `not fetched: ${c.fetched.reason}`}; ${c.analysis.businessModel} [${c.analysis.label}]`,
                      ] as [string, string],
                  ),
                  [
                    "gaps",
                    result.teardown.gapAnalysis
                      ? `${result.teardown.gapAnalysis.gaps.map((g) => g.gap).join("; ")} [${result.teardown.gapAnalysis.label}]`
                      : (result.teardown.gapNote ?? "none"),
                  ],
                ] as [string, string][])
              : []),
            ["epistemic", epistemic],
            [
              "ideation budget",
              `${ideation.remainingTokens.toLocaleString("en-US")} of ${ideation.budgetTokens.toLocaleString("en-US")} tokens left (portfolio ${ideation.portfolio})`,
            ],
            ["decision", decisionId],
          ]);
          process.stdout.write(`\nnext: npx eva decisions approve ${decisionId}   (or decide ${decisionId} park)\n`);
        } finally {
          await service.close();
        }
      });
    });
}
