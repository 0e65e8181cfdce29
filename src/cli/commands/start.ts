// eva start (npm start): the main job. One process runs all of EVA: the
// database (embedded unless DATABASE_URL is set), its migrations, a worker
// running the stages (on a thread of its own, src/worker-thread.ts), and the
// Chairman's GraphQL API. On first run it seeds a
// demo portfolio and runs it with progress output; then it prints the
// Chairman's decision queue, the dashboard's one-time sign-in link (exchanged
// for a session token; never a long-lived token) and the GraphiQL URL, and
// serves until Ctrl-C.
import { setTimeout as sleep } from "node:timers/promises";
import type { Command } from "commander";
import { sql } from "kysely";
import type { startApiServer } from "../../../graphql/server.ts";
import { issueSignInCode, SESSION_TOKEN_SECONDS } from "../../auth/sign-in.ts";
import { describeSeconds, tokenMaxSeconds } from "../../auth/tokens.ts";
import { connect, withRole } from "../../db/client.ts";
import { defaultDataDir } from "../../db/connection.ts";
import { migrate } from "../../db/migrate.ts";
import { createDatabaseCache } from "../../llm/cache.ts";
import { createAnalysts, describeAnalysts } from "../../llm/factory.ts";
import { listContent } from "../../marketing/content-read.ts";
import { portfolioProgress, seedDemoPortfolio } from "../../portfolio/demo.ts";
import { portfolioCounts } from "../../portfolio/ventures.ts";
import { startWorkerThread } from "../../worker-thread.ts";
import { apiServer } from "../api.ts";
import { withSession } from "../database.ts";
import { watchEvents } from "../event-lines.ts";
import { wholeNumber } from "../options.ts";
import { printFields, printJson, printTable, progress, untilSignal } from "../output.ts";
import { summaryOf } from "./index.ts";

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "****";
  return parsed.toString();
}

interface StartOptions {
  once?: boolean;
  json?: boolean;
  seed?: boolean;
  port?: number;
  host?: string;
  quiet?: boolean;
}

export function registerStart(program: Command): void {
  program
    .command("start")
    .description(summaryOf("start"))
    .option("--port <n>", "GraphQL port (0: any free port)", wholeNumber("--port", 0, 65535))
    .option("--host <host>", "address the API listens on", "127.0.0.1")
    .option("--no-seed", "do not seed the demo portfolio into an empty database")
    .option("--once", "exit after the report instead of serving")
    .option("--json", "print the report as JSON")
    .option("--quiet", "while serving, print no line per significant event")
    .action(async (options: StartOptions) => {
      await withSession(
        async ({ location, connection }) => {
          progress(
            location.embedded
              ? `database: embedded PostgreSQL in ${defaultDataDir()}`
              : `database: ${redact(location.url)}`,
          );
          await migrate(location.url, progress);
          const service = connect(location.url, { max: 2, applicationName: "eva-start-cache", role: "eva_service" });
          // This thread's analyst seeds the demo portfolio; the worker thread makes its own from the same settings.
          const { analyst, adversary } = createAnalysts(process.env, { cache: createDatabaseCache(service.db) });
          // The stage worker runs on its own thread: the API's event loop answers while stages run, and the other way round.
          const worker = await startWorkerThread({ url: location.url, concurrency: 4, log: progress });
          let api: Awaited<ReturnType<typeof startApiServer>> | undefined;
          try {
            api = await (await apiServer(progress))({
              url: location.url,
              port: options.port ?? Number(process.env.EVA_PORT ?? 5678),
              host: options.host ?? "127.0.0.1",
            });
            progress(`worker running with ${describeAnalysts(analyst, adversary)}; GraphQL at ${api.url}`);

            const counts = await withRole(connection.db, "eva_chairman", (trx) => portfolioCounts(trx));
            if (counts.ventures === 0 && options.seed !== false) {
              progress("first run: seeding a demo portfolio (Stage 0 briefs from competitor teardowns)");
              await seedDemoPortfolio(connection.db, analyst, progress);
            }
            // Let the portfolio run until every venture waits for the Chairman or has stopped.
            let last = "";
            for (;;) {
              const p = await portfolioProgress(connection.db);
              const line = `stage runs: ${p.stageRuns}; ${Object.entries(p.byStatus)
                .map(([k, v]) => `${k} ${v}`)
                .join(", ")}${p.contentInProgress ? `; marketing content in progress: ${p.contentInProgress}` : ""}`;
              if (line !== last) progress(line);
              last = line;
              if (p.running === 0) break;
              // A worker that died would leave this waiting for ever: its failure ends eva start.
              await Promise.race([sleep(500), worker.failure]);
            }

            const queue = await withRole(connection.db, "eva_chairman", async (trx) => {
              const { rows } = await sql<{
                decision_id: string;
                decision_type: string;
                lifecycle_stage: number;
                venture_name: string | null;
                recommended_action: string | null;
                reason: string | null;
              }>`
                select decision_id, decision_type, lifecycle_stage, venture_name, recommended_action, reason
                from eva.decision_queue`.execute(trx);
              return rows;
            });
            const signIn = await issueSignInCode(connection.pool, "chairman");
            // The code rides in the fragment: a browser never sends it to a server, so no log or Referer holds it;
            // the dashboard exchanges it (POST /sign-in) and removes it from the address bar.
            const signInUrl = `${api.dashboardUrl}#code=${signIn.code}`;
            const final = await withRole(connection.db, "eva_chairman", (trx) => portfolioCounts(trx));
            // Ventures past Stage 22 have pre-launch content (generated and brand-reviewed by the worker).
            const content = await withRole(connection.db, "eva_chairman", (trx) => listContent(trx));
            if (options.json) {
              printJson({
                database: redact(location.url),
                graphql: api.url,
                graphiql: api.graphiqlUrl,
                dashboard: api.dashboardUrl,
                signIn: { url: signInUrl, expiresAt: signIn.expiresAt },
                portfolio: final,
                queue,
                marketing: content,
              });
            } else {
              printFields([
                ["ventures", final.ventures],
                [
                  "by status",
                  Object.entries(final.byStatus)
                    .map(([k, v]) => `${k} ${v}`)
                    .join(", ") || "none",
                ],
                ["psql", location.url],
              ]);
              process.stdout.write(`\nThe Chairman's decision queue (${queue.length}):\n`);
              if (queue.length) {
                printTable(queue, [
                  ["decision_id", "DECISION"],
                  ["decision_type", "TYPE"],
                  ["lifecycle_stage", "STAGE"],
                  ["venture_name", "VENTURE"],
                  ["recommended_action", "RECOMMENDED"],
                  ["reason", "WHY"],
                ]);
              }
              if (content.length) {
                process.stdout.write(`\nMarketing content (${content.length}):\n`);
                printTable(
                  content.map((c) => ({
                    ...c,
                    state: c.status === "blocked" ? `${c.state} (blocked)` : c.state,
                    platforms: c.platforms.join(","),
                    epistemic: c.epistemic ?? "",
                  })),
                  [
                    ["id", "CONTENT"],
                    ["venture", "VENTURE"],
                    ["state", "STATE"],
                    ["variants", "VARIANTS"],
                    ["platforms", "PLATFORMS"],
                    ["epistemic", "EPISTEMIC"],
                  ],
                );
                process.stdout.write("  (read one with npx eva marketing content show <content>)\n");
              }
              process.stdout.write(
                `\nDashboard: ${signInUrl}\n` +
                  `  (signs the Chairman in once, until ${signIn.expiresAt.toISOString().slice(11, 19)} UTC, with a Chairman token for ` +
                  `${describeSeconds(Math.min(SESSION_TOKEN_SECONDS, tokenMaxSeconds()))}; later: open ${api.dashboardUrl} and paste a token ` +
                  `from npx eva chairman token; revoke: npx eva chairman revoke <jti> | --all)\n` +
                  `GraphiQL:  ${api.graphiqlUrl}\nGraphQL:   ${api.url}\n` +
                  `\nDecide with: the dashboard, or npx eva decisions view <decision> (its options and what each does), then\n` +
                  `  npx eva decisions decide <decision> <option>   or in GraphiQL:\n` +
                  `  mutation { decide(input: { pDecisionId: "<decision>", pDecision: "<option>" }) { result { status decision } } }\n`,
              );
            }
            if (options.once) return;
            // The master scheduler keeps the portfolio moving; each significant event gets a line.
            const events = options.quiet ? undefined : await watchEvents(location.url, progress);
            progress("EVA is running (worker + scheduler + API); press Ctrl-C to stop");
            const signal = await Promise.race([untilSignal(), worker.failure]);
            progress(`${signal}: stopping`);
            await events?.stop();
          } finally {
            await api?.close();
            await worker.stop();
            await service.close();
          }
        },
        { requireMigrated: false, connections: 2 },
      );
    });
}
