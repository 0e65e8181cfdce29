// The Chairman's API for the commands that serve it (start, serve), loaded on
// demand: PostGraphile is heavy and announces itself at import, and every
// other eva command starts without it. The dashboard it serves is built first
// when missing or stale (graphql/web-build.ts; a current build costs a few stat calls).
import type { startApiServer } from "../../graphql/server.ts";

export async function apiServer(log: (line: string) => void = () => {}): Promise<typeof startApiServer> {
  process.env.GRAPHILE_ENV ??= "production";
  const { buildWeb } = await import("../../graphql/web-build.ts");
  const web = await buildWeb();
  if (web.built) log(`dashboard built (web/dist) in ${web.ms} ms`);
  else if (web.reason === "no-vite")
    log("the dashboard is not built and Vite is not installed: run npm ci, then npm run build");
  return (await import("../../graphql/server.ts")).startApiServer;
}
