// The eva command's cold start, as a Chairman or a test meets it: whole
// processes, one after another, wall time and peak memory (GNU time's maximum
// resident set), medians. References: `node -e 0` (the Node floor) and
// `psql -c 'select 1'` (a query from the shell). The build in dist/ (what
// bin/eva.js runs on a fresh clone) is shown beside the TypeScript sources
// run directly (EVA_CLI_FROM_SOURCE=1, Node's type stripping), and npx's own
// overhead beside calling bin/eva.js.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import { connect, withRole } from "../src/db/client.ts";
import { projectRoot } from "../src/db/connection.ts";
import { type BenchServer, type Measurement, median, progress } from "./lib.ts";
import { createBenchVentures } from "./stage-engine.ts";

const RUNS = Number(process.env.EVA_BENCH_CLI_RUNS ?? 9);
const VENTURES = 50;
const GNU_TIME = "/usr/bin/time";

interface Sample {
  ms: number;
  /** Peak resident set in MiB, when GNU time is there to say. */
  mib: number | undefined;
}

function once(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  const timed = existsSync(GNU_TIME);
  const [file, argv] = timed ? [GNU_TIME, ["-f", "EVA_PEAK_KIB=%M", command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, argv, { cwd: projectRoot, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${stderr.trim()}`));
      const kib = /EVA_PEAK_KIB=(\d+)/.exec(stderr)?.[1];
      resolve({ ms, mib: kib ? Number(kib) / 1024 : undefined });
    });
  });
}

export async function cliStartup(server: BenchServer, signal: AbortSignal): Promise<Measurement[]> {
  const database = await server.freshDatabase("cli");
  try {
    const connection = connect(database.url, { max: 2, applicationName: "eva-bench" });
    try {
      await createBenchVentures(connection.db, VENTURES);
      // Pending decisions for the queue, opened the way workers open them (as eva_service).
      await withRole(connection.db, "eva_service", (trx) =>
        sql`insert into eva.chairman_decisions (venture_id, lifecycle_stage, decision_type, recommended_action,
            urgency, blocking, context)
          select v.id, 25, 'venture_future', 'continue', 'immediate', true, '{}'::jsonb
          from eva.ventures v limit 30`.execute(trx),
      );
    } finally {
      await connection.close();
    }

    const node = join(projectRoot, "node_modules", ".bin", "node");
    const nodeBin = existsSync(node) ? node : process.execPath;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: database.url,
      PATH: `${join(projectRoot, "node_modules", ".bin")}:${process.env.PATH}`,
    };
    const fromSource = { ...env, EVA_CLI_FROM_SOURCE: "1" };
    const { hostname, port } = new URL(database.url);
    const db = new URL(database.url).pathname.slice(1);
    const built = existsSync(join(projectRoot, "dist", "built.json"));
    if (!built) progress("cli: no dist/ build (npm run build): the eva rows run from the sources too");

    const cases = [
      { id: "cli.node", label: "node -e 0", run: () => once(nodeBin, ["-e", "0"], env) },
      {
        id: "cli.psql",
        label: "psql -c 'select 1'",
        run: () =>
          once(
            "psql",
            ["-X", "-q", "-h", hostname, "-p", port || "5432", "-U", "postgres", "-d", db, "-c", "select 1"],
            env,
          ),
      },
      { id: "cli.help", label: "eva --help", run: () => once(nodeBin, ["bin/eva.js", "--help"], env) },
      {
        id: "cli.ventures",
        label: `eva ventures list (${VENTURES} ventures)`,
        run: () => once(nodeBin, ["bin/eva.js", "ventures", "list"], env),
      },
      {
        id: "cli.decisions",
        label: "eva decisions list --json (30 pending)",
        run: () => once(nodeBin, ["bin/eva.js", "decisions", "list", "--json"], env),
      },
      {
        id: "cli.src.help",
        label: "eva --help, from src/",
        run: () => once(nodeBin, ["bin/eva.js", "--help"], fromSource),
      },
      {
        id: "cli.src.decisions",
        label: "eva decisions list --json, from src/",
        run: () => once(nodeBin, ["bin/eva.js", "decisions", "list", "--json"], fromSource),
      },
      { id: "cli.npx.help", label: "npx eva --help", run: () => once("npx", ["--no-install", "eva", "--help"], env) },
    ];

    const samples = new Map<string, Sample[]>(cases.map((c) => [c.id, []]));
    for (const c of cases) await c.run(); // warm the page cache and npx's lookup
    // Interleaved rounds, so drift in the machine's load hits every case alike.
    for (let round = 0; round < RUNS; round++) {
      signal.throwIfAborted();
      for (const c of cases) samples.get(c.id)?.push(await c.run());
    }
    progress(`cli: ${RUNS} rounds of ${cases.length} processes`);

    const ms = (id: string) => median((samples.get(id) ?? []).map((s) => s.ms));
    const mib = (id: string) => {
      const values = (samples.get(id) ?? []).map((s) => s.mib).filter((v): v is number => v !== undefined);
      return values.length ? median(values) : Number.NaN;
    };
    const rows: Measurement[] = [
      { id: "cli.node", label: "node -e 0 (wall, median)", value: ms("cli.node"), unit: "ms" },
      { id: "cli.psql", label: "psql -c 'select 1' (wall, median)", value: ms("cli.psql"), unit: "ms" },
      {
        id: "cli.help",
        label: "eva --help",
        value: ms("cli.help"),
        unit: "ms",
        vs: "cli.node",
        note: "aim ≤ 4× node -e 0",
      },
      {
        id: "cli.ventures",
        label: cases[3]?.label ?? "",
        value: ms("cli.ventures"),
        unit: "ms",
        vs: "cli.psql",
        note: "aim ≤ 5× psql",
      },
      {
        id: "cli.decisions",
        label: cases[4]?.label ?? "",
        value: ms("cli.decisions"),
        unit: "ms",
        vs: "cli.psql",
        note: "aim ≤ 5× psql",
      },
      {
        id: "cli.src.help",
        label: "eva --help from src/ (type stripping)",
        value: ms("cli.src.help"),
        unit: "ms",
        vs: "cli.help",
        note: "vs the dist/ build",
      },
      {
        id: "cli.src.decisions",
        label: "eva decisions list --json from src/",
        value: ms("cli.src.decisions"),
        unit: "ms",
        vs: "cli.decisions",
        note: "vs the dist/ build",
      },
      {
        id: "cli.npx.help",
        label: "npx eva --help",
        value: ms("cli.npx.help"),
        unit: "ms",
        vs: "cli.help",
        note: "npx's overhead",
      },
      { id: "cli.mem.node", label: "node -e 0 peak memory", value: mib("cli.node"), unit: "MiB" },
      {
        id: "cli.mem.help",
        label: "eva --help peak memory",
        value: mib("cli.help"),
        unit: "MiB",
        vs: "cli.mem.node",
        note: "aim ≤ 80 MiB",
      },
      {
        id: "cli.mem.ventures",
        label: "eva ventures list peak memory",
        value: mib("cli.ventures"),
        unit: "MiB",
        vs: "cli.mem.node",
        note: "aim ≤ 80 MiB",
      },
      {
        id: "cli.mem.decisions",
        label: "eva decisions list --json peak memory",
        value: mib("cli.decisions"),
        unit: "MiB",
        vs: "cli.mem.node",
        note: "aim ≤ 80 MiB",
      },
      {
        id: "cli.mem.src.decisions",
        label: "eva decisions list --json from src/ peak memory",
        value: mib("cli.src.decisions"),
        unit: "MiB",
        vs: "cli.mem.decisions",
        note: "vs the dist/ build",
      },
    ];
    if (!built) for (const r of rows) if (r.id.startsWith("cli.")) r.note = `${r.note ?? ""} (no dist/ build)`.trim();
    return rows;
  } finally {
    await database.drop();
  }
}
