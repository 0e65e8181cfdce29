// Builds the Chairman's dashboard (web/) into web/dist with Vite, when the
// build is missing or older than any of its sources. `npm ci` builds it (the
// prepare script) and `eva start` / `eva serve` check it before serving, so a
// fresh clone and an edited source both get a current app; the output is
// never committed. Vite is a dev dependency: without it nothing is built and
// the server says how to build.
import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../src/db/connection.ts";

export const WEB_DIR = join(projectRoot, "web");
export const WEB_DIST = join(WEB_DIR, "dist");
const STAMP = join(WEB_DIST, "built.json");

function newestSource(): number {
  let newest = 0;
  const visit = (path: string) => {
    const s = statSync(path);
    if (s.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, s.mtimeMs);
  };
  for (const p of ["src", "index.html"]) visit(join(WEB_DIR, p));
  for (const p of ["package-lock.json", "graphql/web-build.ts"])
    newest = Math.max(newest, statSync(join(projectRoot, p)).mtimeMs);
  return newest;
}

/** True when web/dist was built after the last change to any of its sources. */
export function webBuildIsCurrent(): boolean {
  if (!existsSync(STAMP)) return false;
  return statSync(STAMP).mtimeMs >= newestSource();
}

export type WebBuild = { built: true; ms: number } | { built: false; reason: "current" | "no-vite" };

/** Builds web/dist unless it is current (or `force`); never throws for a missing Vite, only for a failing build. */
export async function buildWeb(options: { force?: boolean } = {}): Promise<WebBuild> {
  if (!options.force && webBuildIsCurrent()) return { built: false, reason: "current" };
  let vite: typeof import("vite");
  try {
    vite = await import("vite");
  } catch {
    return { built: false, reason: "no-vite" };
  }
  const started = performance.now();
  // Built aside and swapped in: a server reading web/dist (or a second build at the same time) never sees half a build.
  const aside = join(WEB_DIR, `.dist-${process.pid}-${Date.now()}`);
  await vite.build({
    root: WEB_DIR,
    configFile: false,
    envDir: false,
    logLevel: "warn",
    base: "/",
    oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
    build: {
      outDir: aside,
      emptyOutDir: true,
      target: "es2022",
      // No data: URLs or inline code: the Content-Security-Policy allows files from the server only.
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      reportCompressedSize: false,
    },
  });
  writeFileSync(join(aside, "built.json"), `${JSON.stringify({ builtAt: new Date().toISOString() })}\n`);
  const old = `${aside}-old`;
  try {
    renameSync(WEB_DIST, old);
  } catch {
    // No earlier build (or another build moved it first).
  }
  try {
    renameSync(aside, WEB_DIST);
  } catch {
    // Another build swapped its own in meanwhile: it is built from the same sources.
    rmSync(aside, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
  return { built: true, ms: Math.round(performance.now() - started) };
}
