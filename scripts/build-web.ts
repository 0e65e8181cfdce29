// Builds the dashboard into web/dist when it is missing or stale (npm ci runs
// it as part of `prepare`; --force rebuilds). See graphql/web-build.ts.
import { buildWeb } from "../graphql/web-build.ts";

const result = await buildWeb({ force: process.argv.includes("--force") });
if (result.built) process.stderr.write(`build: web/dist in ${result.ms} ms\n`);
else if (result.reason === "no-vite")
  process.stderr.write("build: vite is not installed; the dashboard is not built\n");
