// Search across ventures at portfolio scale (issue 14, "Done when"): the
// stage engine's portfolio (689 ventures, EVA_BENCH_VENTURES overrides) run
// through the pipeline with the offline analyst, every artifact it wrote
// indexed by the search triggers; then eva.fn_search as the Chairman over pg
// for a mix of queries (common and rare words, phrases, a misspelt venture
// name, venture- and stage-filtered), p95 beside a plain indexed lookup of a
// venture's current artifacts on the same connection. Aim: p95 ≤ 20 ms.
import { availableParallelism, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { connect } from "../src/db/client.ts";
import { abortable, type BenchServer, type Measurement, progress, summarize } from "./lib.ts";
import { createBenchVentures, runPortfolio } from "./stage-engine.ts";

const VENTURES = Number(process.env.EVA_BENCH_VENTURES ?? 689);
const WARMUP = 50;
const ROUNDS = 40;

export async function searchBench(server: BenchServer, signal: AbortSignal): Promise<Measurement[]> {
  const database = await server.freshDatabase("search");
  const connection = connect(database.url, { max: 4, applicationName: "eva-bench" });
  const service = connect(database.url, { max: 2, applicationName: "eva-bench-cache", role: "eva_service" });
  const chairman = new pg.Client({ connectionString: database.url, options: "-c role=eva_chairman" });
  chairman.on("error", () => {});
  try {
    progress(`creating ${VENTURES} ventures`);
    await createBenchVentures(connection.db, VENTURES, { wellArgued: true });
    const portfolio = await runPortfolio(database.url, connection, service, signal, { engineering: true });
    await abortable(connection.pool.query("vacuum (analyze)"), signal);
    await chairman.connect();
    const stats = (
      await chairman.query<{ documents: string; artifacts: string; ventures: string; size: string }>(
        `select (select count(*) from eva.search_documents) as documents,
                (select count(*) from eva.venture_artifacts where is_current) as artifacts,
                (select count(*) from eva.ventures) as ventures,
                pg_size_pretty(pg_total_relation_size('eva.search_documents')) as size`,
      )
    ).rows[0];
    progress(
      `portfolio built in ${portfolio.seconds.toFixed(0)} s: ${stats?.ventures} ventures, ${stats?.artifacts} current artifacts, ${stats?.documents} search documents (${stats?.size})`,
    );
    const ids = (await chairman.query<{ id: string }>("select id from eva.ventures order by name")).rows.map(
      (r) => r.id,
    );
    if (ids.length === 0) throw new Error("no ventures: nothing to search");
    const someVenture = (i: number) => ids[(i * 7919) % ids.length] as string;

    // Words the offline pipeline's artifacts and the bench ventures contain, from common to rare.
    const queries: [string, string | null, number | null][] = [
      ["paperwork", null, null],
      ["audit trail", null, null],
      ['"filing deadlines"', null, null],
      ["pricing subscription", null, null],
      ["competitors churn", null, null],
      ["Bench venture 412", null, null],
      ["bnch venture", null, null],
      ["regional filing authority -hardware", null, null],
      ["risk", null, 6],
      ["launch", null, 23],
      ["assumptions", "venture", null],
      ["retention", "venture", null],
    ];
    const searchSql = "select * from eva.fn_search($1, $2::uuid, $3::int, 20)";
    const lookupSql =
      "select id, artifact_type, version, content from eva.venture_artifacts where venture_id = $1 and is_current";
    const searchMs: number[] = [];
    const lookupMs: number[] = [];
    const perQuery = new Map<string, number[]>();
    let hitsSeen = 0;
    for (let round = 0; round < WARMUP / queries.length + ROUNDS; round++) {
      signal.throwIfAborted();
      for (const [i, [q, scope, stage]] of queries.entries()) {
        const venture = scope ? someVenture(round * queries.length + i) : null;
        let t0 = performance.now();
        const found = await chairman.query({ name: "bench_search", text: searchSql, values: [q, venture, stage] });
        const s = performance.now() - t0;
        t0 = performance.now();
        await chairman.query({ name: "bench_lookup", text: lookupSql, values: [someVenture(round + i)] });
        const l = performance.now() - t0;
        if (round * queries.length >= WARMUP) {
          searchMs.push(s);
          lookupMs.push(l);
          const key = `${q}${scope ? " (one venture)" : ""}${stage === null ? "" : ` (stage ${stage})`}`;
          perQuery.set(key, [...(perQuery.get(key) ?? []), s]);
          hitsSeen += found.rowCount ?? 0;
        }
      }
    }
    const load = loadavg()[0] ?? 0;
    const s = summarize(searchMs);
    const l = summarize(lookupMs);
    const slowest = [...perQuery.entries()]
      .map(([q, ms]) => [q, summarize(ms).p95] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([q, p95]) => `${q} ${p95.toFixed(1)} ms`)
      .join("; ");
    progress(
      `searches: ${s.n} (${queries.length} queries × ${ROUNDS}); ${(hitsSeen / s.n).toFixed(1)} hits each on average`,
    );
    return [
      {
        id: "search.lookup_p95",
        label: "plain indexed lookup: a venture's current artifacts, p95",
        value: l.p95,
        unit: "ms",
        note: `n=${l.n}, p50 ${l.p50.toFixed(2)} ms; as eva_chairman over pg, prepared`,
      },
      {
        id: "search.p95",
        label: `search across ${stats?.ventures} ventures' documents (eva.fn_search), p95 (aim ≤ 20 ms)`,
        value: s.p95,
        unit: "ms",
        vs: "search.lookup_p95",
        note: `n=${s.n}, p50 ${s.p50.toFixed(2)} ms, max ${s.max.toFixed(1)} ms; ${stats?.documents} documents (${stats?.size}); slowest p95: ${slowest}; load average ${load.toFixed(1)} on ${availableParallelism()} CPUs`,
      },
    ];
  } finally {
    await chairman.end().catch(() => {});
    await service.close();
    await connection.close();
    await database.drop();
  }
}
