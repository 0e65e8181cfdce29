// The Chairman's API for the commands that serve it (start, serve), loaded on
// demand: PostGraphile is heavy and announces itself at import, and every
// other eva command starts without it.
import type { startApiServer } from "../../graphql/server.ts";

export async function apiServer(): Promise<typeof startApiServer> {
  process.env.GRAPHILE_ENV ??= "production";
  return (await import("../../graphql/server.ts")).startApiServer;
}
