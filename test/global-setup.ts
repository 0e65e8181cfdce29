// Migrates one template database per test run; each test file clones it
// (test/helpers/database.ts). Uses DATABASE_URL's server when set, else an
// embedded PostgreSQL in a temporary folder.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { projectRoot, withDatabase } from "../src/db/connection.ts";
import { startEmbedded } from "../src/db/embedded.ts";
import { migrate } from "../src/db/migrate.ts";

declare module "vitest" {
  export interface ProvidedContext {
    adminUrl: string;
    templateDatabase: string;
  }
}

export default async function setup(project: TestProject) {
  // The CLI tests run bin/eva.js as users do: from a dist/ build of the sources as they are now.
  const build = spawnSync(process.execPath, [join(projectRoot, "scripts", "build-cli.ts")], { encoding: "utf8" });
  if (build.status !== 0) throw new Error(`npm run build failed: ${build.stderr}`);
  // The dashboard too, once here when stale: test files that start servers then find it current (no concurrent builds).
  const web = spawnSync(process.execPath, [join(projectRoot, "scripts", "build-web.ts")], { encoding: "utf8" });
  if (web.status !== 0) throw new Error(`the dashboard's build failed: ${web.stderr}`);
  let adminUrl: string;
  let cleanup = async () => {};
  if (process.env.DATABASE_URL) {
    adminUrl = withDatabase(process.env.DATABASE_URL, "postgres");
  } else {
    const dir = mkdtempSync(join(tmpdir(), "eva-test-pg-"));
    chmodSync(dir, 0o755);
    const server = await startEmbedded(dir);
    adminUrl = server.adminUrl;
    cleanup = async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }

  const template = `eva_test_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${template}`);
  await admin.query(`create database ${template}`);
  await migrate(withDatabase(adminUrl, template));

  project.provide("adminUrl", adminUrl);
  project.provide("templateDatabase", template);

  return async () => {
    await admin.query(`drop database if exists ${template} with (force)`);
    await admin.end();
    await cleanup();
  };
}
