// Loaded with `node --import` by test/cli-startup.test.ts: writes the URL of
// every module the process loads, one per line, to EVA_IMPORT_TRACE on exit.
import { writeFileSync } from "node:fs";
import { registerHooks } from "node:module";

const loaded = [];
registerHooks({
  load(url, context, next) {
    loaded.push(url);
    return next(url, context);
  },
});
process.on("exit", () => {
  if (process.env.EVA_IMPORT_TRACE) writeFileSync(process.env.EVA_IMPORT_TRACE, `${loaded.join("\n")}\n`);
});
