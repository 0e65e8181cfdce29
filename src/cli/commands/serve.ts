// eva serve: the Chairman's GraphQL API (GraphiQL, the dashboard) on EVA's database,
// until Ctrl-C. Requests act as the role their Bearer token names.
import type { Command } from "commander";
import type { startApiServer } from "../../../graphql/server.ts";
import { jwtSecret } from "../../auth/tokens.ts";
import { apiServer } from "../api.ts";
import { withSession } from "../database.ts";
import { wholeNumber } from "../options.ts";
import { printJson, progress, UserError, untilSignal } from "../output.ts";
import { summaryOf } from "./index.ts";

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description(summaryOf("serve"))
    .option("--port <port>", "port to listen on (0: any free port)", "5678")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--json", "print the URLs as JSON")
    .action(async (options: { port: string; host: string; json?: boolean }) => {
      const port = wholeNumber("--port", 0, 65535)(options.port);
      // Fail before starting anything when the secret is unusable (e.g. EVA_JWT_SECRET too short).
      let secret: Uint8Array;
      try {
        secret = jwtSecret();
      } catch (error) {
        throw new UserError((error as Error).message);
      }
      await withSession(async ({ location }) => {
        let api: Awaited<ReturnType<typeof startApiServer>>;
        try {
          api = await (await apiServer(progress))({ url: location.url, port, host: options.host, secret });
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code === "EADDRINUSE")
            throw new UserError(`${options.host}:${port} is already in use: pick another --port`);
          if (code === "EADDRNOTAVAIL") throw new UserError(`cannot listen on --host ${options.host}`);
          throw error;
        }
        try {
          if (options.json) {
            printJson({ dashboard: api.dashboardUrl, graphql: api.url, graphiql: api.graphiqlUrl });
          } else {
            process.stdout.write(
              `Dashboard: ${api.dashboardUrl}\nGraphQL:   ${api.url}\nGraphiQL:  ${api.graphiqlUrl}\n`,
            );
          }
          progress(
            "requests without a token act as eva_anonymous; mint one with `npx eva chairman token` " +
              "(--role viewer for read-only) and send `Authorization: Bearer <token>`",
          );
          progress("serving; press Ctrl-C to stop");
          const signal = await untilSignal();
          progress(`${signal}: stopping`);
        } finally {
          await api.close();
        }
      });
    });
}
