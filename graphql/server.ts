// Serves the Chairman's GraphQL API over HTTP: GraphQL at /graphql (and
// websockets there, for subscriptions), Ruru (GraphiQL) at /graphiql, the
// sign-in exchange at /sign-in, the dashboard (web/, a client of the
// same API) at / and its pages, and the marketing engine's inbound webhooks
// (POST /webhooks/<source>) and unsubscribe link (/unsubscribe).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import { connect } from "../src/db/client.ts";
import { routeMarketing } from "../src/marketing/http.ts";
import type { WebhookOptions } from "../src/marketing/webhooks.ts";
import { startTracing } from "../src/orchestration/tracing.ts";
import type { ApiLimits } from "./limits.ts";
import { makePreset } from "./preset.ts";
import { routeSignIn, signInHandler } from "./sign-in.ts";
import { isWebPath, serveWeb } from "./web.ts";

export interface ApiServer {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:5678/graphql. */
  url: string;
  graphiqlUrl: string;
  /** The Chairman's dashboard (a sign-in link adds #code=…). */
  dashboardUrl: string;
  close(): Promise<void>;
}

export interface ApiServerOptions {
  /** Connection URL of EVA's database; its login role must be able to `set role` to the API roles. */
  url: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  /** The HS256 secret tokens are verified with (default: jwtSecret()). */
  secret?: Uint8Array;
  /** Overrides of the request limits (default: apiLimits(), from the EVA_GRAPHQL_* variables). */
  limits?: Partial<ApiLimits>;
  /** The webhooks' environment (secrets), body limit and clock (default: process.env, EVA_WEBHOOK_MAX_BYTES). */
  webhooks?: WebhookOptions;
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { url, port = 5678, host = "127.0.0.1" } = options;
  const api = makePreset(url, {
    ...(options.secret ? { secret: options.secret } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const pgl = postgraphile(api.preset);
  // Spans (the Chairman's decide mutation) go to the OTLP collector when OTEL_EXPORTER_OTLP_ENDPOINT is set.
  const tracing = await startTracing("api");
  const server = createServer();
  // Webhooks and unsubscribes store as eva_service (under RLS), on their own small pool.
  const marketing = connect(url, { max: 4, applicationName: "eva-webhooks", role: "eva_service" });
  // Upgraded (websocket) connections leave the HTTP server's bookkeeping: track them to end them on close.
  const upgraded = new Set<Duplex>();
  server.on("upgrade", (_request, socket: Duplex) => {
    upgraded.add(socket);
    socket.once("close", () => upgraded.delete(socket));
  });
  try {
    // Fails here, not on the first request, when the database cannot be introspected.
    await pgl.getSchema();
    const serv = pgl.createServ(grafserv);
    await serv.addTo(server);
    // /sign-in exchanges the one-time code of `eva start`'s link for a session token.
    // The dashboard answers / and its page paths; GraphQL keeps /graphql, /graphiql and the websocket.
    routeSignIn(server, signInHandler(api.auth), { handles: isWebPath, serve: serveWeb });
    routeMarketing(server, marketing.db, options.webhooks);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (error) {
    server.close();
    await marketing.close();
    await pgl.release();
    await api.release();
    await tracing.shutdown();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const origin = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
  let closing: Promise<void> | undefined;
  return {
    url: `${origin}/graphql`,
    graphiqlUrl: `${origin}/graphiql`,
    dashboardUrl: `${origin}/`,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Keep-alive and websocket connections would hold close() open.
          server.closeAllConnections();
          for (const socket of upgraded) socket.destroy();
        });
        await marketing.close();
        await pgl.release();
        await api.release();
        await tracing.shutdown();
      })();
      return closing;
    },
  };
}
